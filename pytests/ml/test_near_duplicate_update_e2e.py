"""End to end on the small demo data, in its own DuckDB file: after new, reworded and removed captions
in the raw caption bank, caption_near_duplicates searches only the new or changed captions (the run
log and fit_mode say 'updated') and its table equals a full recompute (var ml_retrain) row for row;
ml_caption_clusters assigns those captions to the nearest cluster and the others keep theirs;
int_caption_embeddings, kept between builds, equals its full refresh."""

from __future__ import annotations

import duckdb
import pytest

from sendwise.dbt import run_dbt, vars_arg
from sendwise.demo import generate
from sendwise.paths import DEFAULT_END

pytestmark = pytest.mark.e2e

VARS = ["--vars", vars_arg({"as_of": DEFAULT_END})]
# the raw caption bank through staging (tables) to the embeddings, the fingerprints, the pairs and the
# state the next run reads
CHAIN = (
    "base_agency__caption_bank stg_agency__caption_bank int_texts_to_embed ml_text_embeddings"
    " int_caption_embeddings int_ml_input_fingerprints caption_near_duplicates caption_near_duplicate_state"
    " ml_caption_clusters"
)


def pairs(db) -> list:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(
            "select * exclude (fit_mode) from sendwise_ml.caption_near_duplicates order by pair_key"
        ).fetchall()


def fit_modes(db, model: str = "caption_near_duplicates") -> list:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(f"select distinct fit_mode from sendwise_ml.{model}").fetchall()


def clusters(db) -> dict:
    with duckdb.connect(str(db), read_only=True) as con:
        return dict(con.sql("select caption_id, cluster_id from sendwise_ml.ml_caption_clusters").fetchall())


def test_new_changed_and_removed_captions_update_the_pairs_to_the_full_recompute(tmp_path):
    # test.duckdb: the catalog name of the suite's other builds, whose in-process dbt parse serves here
    db, target = tmp_path / "test.duckdb", tmp_path / "target"
    generate("small", 42, db, DEFAULT_END)
    run_dbt(["build", "--quiet", "--select", "+" + CHAIN.replace(" ", " +"), "--exclude",
             "resource_type:test resource_type:unit_test", *VARS], duckdb_path=db, target_path=target)  # fmt: skip
    assert fit_modes(db) == fit_modes(db, "ml_caption_clusters") == [("trained",)]
    before, clusters_before = pairs(db), clusters(db)
    with duckdb.connect(str(db)) as con:
        ids = [r[0] for r in con.sql(
            "select distinct caption_id from sendwise_ml.caption_near_duplicates order by 1 limit 5").fetchall()]  # fmt: skip
        assert len(set(ids)) == 5
        # three new captions: reworded copies of captions that have a near-duplicate
        con.execute(
            "insert into agency.caption_bank select 'cap_new_' || caption_id, caption_text || ' tonight only',"
            " content_category, price_tier, tone, usage_status, validation_level, created_at"
            " from agency.caption_bank where caption_id in (?, ?, ?)",
            ids[:3],
        )
        con.execute("update agency.caption_bank set caption_text = 'a whole new caption for the weekend drop'"
                    " where caption_id = ?", [ids[3]])  # fmt: skip
        con.execute("delete from agency.caption_bank where caption_id = ?", [ids[4]])

    log = run_dbt(
        ["run", "--quiet", "--select", CHAIN, *VARS], duckdb_path=db, target_path=target, capture=True
    )
    assert "caption_near_duplicates: updated, 4 new or changed captions of " in log.stdout
    assert fit_modes(db) == fit_modes(db, "ml_caption_clusters") == [("updated",)]
    assert "ml_caption_clusters: updated, 4 new or changed captions of " in log.stdout
    updated = pairs(db)
    # the old captions keep their clusters (the same groups; numbers by size may swap), the new join
    clusters_after = clusters(db)
    kept = [i for i in clusters_before if i in clusters_after and i != ids[3]]
    assert len(kept) == len(clusters_before) - 2
    mapping = {(clusters_before[i], clusters_after[i]) for i in kept}
    k = len(set(clusters_before.values()))
    assert len(mapping) == len({a for _, a in mapping}) == k  # one to one: no group split or merged
    assert {f"cap_new_{i}" for i in ids[:3]} <= set(clusters_after)
    assert updated != before
    ids_after = {r[1] for r in updated} | {r[2] for r in updated}
    assert ids[4] not in ids_after  # the removed caption's pairs are gone
    assert {f"cap_new_{i}" for i in ids[:3]} & ids_after  # a new caption found its original

    # int_caption_embeddings kept its rows and wrote only the new and changed captions' vectors: the
    # same table as a full refresh (the removed caption's row gone, the reworded one's replaced)
    with duckdb.connect(str(db)) as con:
        con.execute(
            "create table main.kept_embeddings as select * from sendwise_intermediate.int_caption_embeddings"
        )
    run_dbt(
        ["run", "--quiet", "--select", "int_caption_embeddings", "--full-refresh", *VARS],
        duckdb_path=db,
        target_path=target,
    )
    with duckdb.connect(str(db), read_only=True) as con:
        differences = con.sql(
            "select count(*) from ((select * from main.kept_embeddings except all"
            " select * from sendwise_intermediate.int_caption_embeddings) union all"
            " (select * from sendwise_intermediate.int_caption_embeddings except all"
            " select * from main.kept_embeddings))"
        ).fetchone()[0]
        assert differences == 0
        assert (
            con.execute(
                "select count(*) from main.kept_embeddings where caption_id = ?", [ids[4]]
            ).fetchone()[0]
            == 0
        )

    forced = ["--vars", vars_arg({"as_of": DEFAULT_END, "ml_retrain": True})]
    run_dbt(
        ["run", "--quiet", "--select", "caption_near_duplicates", *forced], duckdb_path=db, target_path=target
    )
    assert fit_modes(db) == [("trained",)]
    assert pairs(db) == updated  # row for row, every column but fit_mode
