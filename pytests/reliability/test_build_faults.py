"""Defective rows injected into a copy of the built test database, then `dbt build`: green, and the
reconciliation accounts for every raw row with each defect quarantined under its named reason.

The default run builds what the quarantine decides (staging, the rejected models, rejected_rows,
quarantine_reconciliation, data_quality_by_page and their tests: about a minute). The `slow` marker
(excluded by default; `pytest -m slow pytests/reliability`) runs the whole `dbt build` on the same
defects (nothing may fail or be skipped) and a build killed mid-way followed by a rebuild.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pytest
from built_demo import altered_copy

from sendwise.dbt import dbt_env, run_dbt
from sendwise.paths import dbt_executable, project_dir

pytestmark = pytest.mark.e2e

AS_OF = "2026-11-15 00:00:00"
VARS = '{as_of: "2026-11-15 00:00:00"}'
QUARANTINE_SELECTION = [
    "--select",
    "+quarantine_reconciliation",
    "+rejected_rows",
    "+data_quality_by_page",
    "--exclude",
    "tag:ml",
    "--indirect-selection",
    "cautious",
]

# (source, marker text placed in a text column, SQL that turns a copied clean row defective, reason)
DEFECTS = [
    ("agency.mass_messages", "fault_nan_price", "price = 'nan'::double", "non_finite_metric"),
    ("agency.mass_messages", "fault_inf_earnings", "earnings = 'inf'::double", "non_finite_metric"),
    ("agency.mass_messages", "fault_huge_earnings", "earnings = 1e15", "implausible_earnings"),
    ("agency.mass_messages", "fault_huge_price", "price = 1e9", "implausible_price"),
    ("agency.mass_messages", "fault_year_0024", "sending_time = '0024-11-10 10:00:00'", "implausible_date"),
    ("chat.chat_logs", "fault_negative_price", "price = -5", "negative_amount"),
    ("chat.chat_logs", "fault_purchase_at_zero", "price = 0, purchased = true", "purchase_without_offer"),
    ("chat.chat_logs", "fault_huge_tip", "tips = 1e12, revenue = 1e12", "implausible_tip"),
    ("chat.chat_logs", "fault_nan_chat_price", "price = 'nan'::double", "non_finite_metric"),
    ("chat.chat_logs", "fault_chat_year_0024", "datetime = '0024-11-10 10:00:00'", "implausible_date"),
    ("content.content_metadata", "fault_nan_quality", "quality_score = 'nan'::double", "non_finite_metric"),
    ("content.outcomes", "fault_orphan_outcome", "impressions = impressions", "orphan_decision_id"),
    ("content.outcomes", "fault_nan_engagement", "engagement_rate = 'nan'::double", "non_finite_metric"),
]
# the text column that carries the marker (a chat row's fan message, a send's id, a post's id)
MARKER_COLUMN = {
    "agency.mass_messages": "row_id",
    "chat.chat_logs": "fan_message",
    "content.content_metadata": "decision_id",
    "content.outcomes": "decision_id",
}


def inject(db: Path) -> dict[str, int]:
    """Insert one defective copy of a clean raw row per DEFECTS entry; the raw counts after."""
    con = duckdb.connect(str(db))
    try:
        for source, marker, change, _ in DEFECTS:
            column = MARKER_COLUMN[source]
            con.execute(f"create or replace temp table fault as select * from {source} limit 1")
            if source == "content.outcomes" and marker == "fault_nan_engagement":
                # a known post (its own id) so the row reaches the non-finite check
                con.execute(f"update fault set {change}")
                con.execute("update fault set collected_at = collected_at + interval 1 second")
                con.execute(f"insert into {source} select * from fault")
                continue
            con.execute(f"update fault set {column} = '{marker}', {change}")
            con.execute(f"insert into {source} select * from fault")
        return {source: con.sql(f"select count(*) from {source}").fetchone()[0] for source, *_ in DEFECTS}
    finally:
        con.close()


@pytest.fixture(scope="module")
def faulty_db(built_db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("faulty")
    db = folder / built_db.name  # the built database's name: the catalog the suite's dbt parse is for
    shutil.copyfile(built_db, db)
    raw_counts = inject(db)
    return db, folder, raw_counts


def assert_every_row_accounted_for(db: Path, raw_counts: dict[str, int]) -> None:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.sql(
            "select source_table, raw_rows, clean_rows, rejected_rows, is_reconciled, as_of, built_at "
            "from sendwise_ops.quarantine_reconciliation"
        ).fetchall()
        assert len(rows) == 7
        for source_table, raw, clean, rejected, ok, as_of, built_at in rows:
            assert ok and raw == clean + rejected, source_table
            assert str(as_of) == AS_OF and built_at is not None
            if source_table in raw_counts:
                assert raw == raw_counts[source_table], source_table
        for source, marker, _, reason in DEFECTS:
            found = con.sql(
                "select rejection_reason from sendwise_ops.rejected_rows "
                "where source_table = ? and raw_record like ?",
                params=[source, f"%{marker}%"] if marker != "fault_nan_engagement" else [source, "%NaN%"],
            ).fetchall()
            assert [r[0] for r in found] == [reason], (marker, found)
    finally:
        con.close()


def assert_whole_build_green(db: Path, target: Path, *flags: str) -> None:
    """A whole `dbt build` of `db` (with `flags`) ends green: nothing failed, nothing skipped."""
    result = run_dbt(
        ["build", "--vars", VARS, *flags], duckdb_path=db, target_path=target, check=False, capture=True
    )
    summary = [line for line in result.stdout.splitlines() if "Done. PASS=" in line]
    assert result.returncode == 0 and summary and "ERROR=0 SKIP=0" in summary[-1], result.stdout[-3000:]


def test_injected_defects_are_quarantined_and_reconciled(faulty_db):
    db, folder, raw_counts = faulty_db
    result = run_dbt(
        ["build", "--vars", VARS, *QUARANTINE_SELECTION, "--quiet"],
        duckdb_path=db,
        target_path=folder / "target",
        check=False,
        capture=True,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert_every_row_accounted_for(db, raw_counts)


@pytest.mark.slow
def test_whole_build_is_green_with_every_defect(faulty_db):
    db, folder, raw_counts = faulty_db
    assert_whole_build_green(db, folder / "target_full")
    assert_every_row_accounted_for(db, raw_counts)


@pytest.mark.slow
def test_killed_build_then_rebuild_recovers(faulty_db):
    db, folder, raw_counts = faulty_db
    env = dbt_env(db, {"DBT_TARGET_PATH": str(folder / "target_kill")})
    process = subprocess.Popen(
        [dbt_executable(), "build", "--vars", VARS, "--quiet"],
        cwd=project_dir(),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    time.sleep(40)  # mid-build: staging done, marts under way
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    result = run_dbt(
        ["build", "--vars", VARS],
        duckdb_path=db,
        target_path=folder / "target_kill",
        check=False,
        capture=True,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert_every_row_accounted_for(db, raw_counts)


def test_raw_table_without_a_declared_column_stops_at_its_source_test(built_db, tmp_path):
    """A loader that drops a column (chat_logs.tips) and lands another as text (price, with '$5'):
    the source test has_declared_columns stops the build with one line naming the table and both
    columns, and the base model is skipped, not run into a binder error."""
    db = altered_copy(
        built_db,
        tmp_path,
        "alter table chat.chat_logs drop column tips",
        "alter table chat.chat_logs alter price type varchar",
        "update chat.chat_logs set price = '$5' where price = '10.99'",
    )
    result = run_dbt(
        ["build", "--vars", VARS, "--select", "source:chat.chat_logs", "base_chat__chat_logs"],
        duckdb_path=db,
        target_path=tmp_path / "target",
        capture=True,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    expected = (
        f'"{db.stem}"."chat"."chat_logs" does not match its YAML: no column tips; price is string, not double'
    )
    assert expected in output, output[-3000:]
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    statuses = {r["unique_id"]: r["status"] for r in results}
    assert statuses["model.sendwise.base_chat__chat_logs"] == "skipped", statuses
    assert "Binder Error" not in output


def test_vault_matrix_with_the_agencys_own_categories_builds(built_db, tmp_path):
    """An agency's vault has the categories it keeps: here one declared category column is absent
    (feet), one the YAML does not declare is there ("Latex_Suit", mixed case) and a notes column is
    text. The build is green: the vault is unpivoted from the columns the table has (latex_suit counts,
    feet is simply not there), the notes column and the captions of a category the content_categories
    seed does not list are named by warnings, and those captions reach the ranking's library and the
    eligibility of the page whose vault has them, and of no other page."""
    db = tmp_path / built_db.name
    shutil.copyfile(built_db, db)
    con = duckdb.connect(str(db))
    page = con.sql(
        "select min(vault.page_name) from agency.vault_matrix as vault"
        " inner join agency.pages as pages on pages.page_name = vault.page_name where pages.is_active"
    ).fetchone()[0]
    con.execute("alter table agency.vault_matrix drop column feet")
    con.execute('alter table agency.vault_matrix add column "Latex_Suit" boolean')
    con.execute("alter table agency.vault_matrix add column notes varchar")
    con.execute(
        "update agency.vault_matrix set \"Latex_Suit\" = true, notes = 'top seller' where page_name = ?",
        [page],
    )
    # five library captions that pass the ranking's pre-filter, moved to the new category
    changed = con.execute(
        "update agency.caption_bank set content_category = 'Latex_Suit' where caption_id in"
        " (select caption_id from sendwise_intermediate.int_ranking_caption_prefilter"
        "  where content_category = 'solo' order by caption_id limit 5)"
    ).fetchone()[0]
    con.close()
    assert changed == 5
    target = tmp_path / "target"
    result = run_dbt(
        [
            "build",
            "--vars",
            VARS,
            "--exclude-resource-type",
            "unit_test",
            "--select",
            "source:agency.vault_matrix",
            "base_agency__vault_matrix+,+int_ranking_caption_eligibility",
            "base_agency__caption_bank+,+int_ranking_caption_eligibility",
            "assert_vault_matrix_columns_are_categories",
            "content_categories",  # the seed the relationships tests read
            "--indirect-selection",
            "cautious",  # not the template's tests: the template itself is not rebuilt here
        ],
        duckdb_path=db,
        target_path=target,
        capture=True,
        check=False,
    )
    output = result.stdout + result.stderr
    statuses = {
        r["unique_id"].split(".")[2]: r["status"]
        for r in json.loads((target / "run_results.json").read_text())["results"]
    }
    assert result.returncode == 0, output[-3000:]
    assert not [name for name, status in statuses.items() if status not in {"success", "pass", "warn"}]
    assert statuses["assert_vault_matrix_columns_are_categories"] == "warn"
    warned = {name for name, status in statuses.items() if status == "warn"}
    assert any(
        name.startswith("relationships_stg_agency__caption_bank_content_category") for name in warned
    ), warned
    assert any(
        name.startswith("relationships_stg_agency__vault_matrix_content_category") for name in warned
    ), warned
    con = duckdb.connect(str(db), read_only=True)
    try:
        categories = {
            r[0]
            for r in con.sql(
                "select distinct content_category from sendwise_staging.stg_agency__vault_matrix"
            ).fetchall()
        }
        assert "latex_suit" in categories and "feet" not in categories and "notes" not in categories
        page_key = con.sql(
            "select page_key from sendwise_staging.stg_agency__vault_matrix"
            " where content_category = 'latex_suit' and is_available"
        ).fetchall()
        assert len(page_key) == 1
        eligible = con.sql(
            "select count(*) from sendwise_intermediate.int_ranking_caption_eligibility"
            " where content_category = 'latex_suit' and page_key = ?",
            params=[page_key[0][0]],
        ).fetchone()[0]
        ineligible = con.sql(
            "select count(*) from sendwise_intermediate.int_ranking_caption_eligibility"
            " where content_category = 'latex_suit' and page_key <> ?",
            params=[page_key[0][0]],
        ).fetchone()[0]
        library = con.sql(
            "select count(*) from sendwise_intermediate.int_ranking_caption_prefilter"
            " where content_category = 'latex_suit'"
        ).fetchone()[0]
    finally:
        con.close()
    # the five are the category's library; of them the page keeps those among its best never-sent
    # captions (ranking_prefilter_per_page, docs/ranking.md), and no other page has any
    assert library == 5 and 0 < eligible <= 5 and ineligible == 0


def revenue_model_versions(con) -> list[str]:
    """The distinct model_version of the revenue predictions of a built world."""
    rows = con.sql("select distinct model_version from sendwise_marts.ml_revenue_predictions order by 1")
    return [row[0] for row in rows.fetchall()]


@pytest.mark.slow
def test_a_new_agency_without_history_builds(tmp_path):
    """An agency on its first day: pages, vault and a library of two captions, but no send and no
    chat log yet. The whole build is green (it stopped before on the caption clusters, 'too few
    captions to cluster', on the revenue model's all-null timestamp breaking its mart's contract,
    and on the fan clusters, 'No objects to concatenate'): the two captions are one family, the
    revenue predictions are the fallback's, and the fan tables are empty."""
    from sendwise.cli import main

    db = tmp_path / "test.duckdb"
    assert main(["demo-data", "--scale", "small", "--seed", "42", "--db", str(db), "--end", AS_OF]) == 0
    con = duckdb.connect(str(db))
    con.execute("delete from agency.mass_messages")
    con.execute("delete from chat.chat_logs")
    con.execute(
        "delete from agency.caption_bank where caption_id is null or caption_id not in"
        " (select caption_id from agency.caption_bank where caption_id is not null order by caption_id limit 2)"
    )
    con.close()
    assert main(["prepare-db", "--db", str(db), "--as-of", AS_OF]) == 0
    assert_whole_build_green(db, tmp_path / "target", "--exclude-resource-type", "unit_test")
    con = duckdb.connect(str(db), read_only=True)
    try:
        families = con.sql(
            "select cluster_id, cluster_k, count(*) from sendwise_ml.ml_caption_clusters group by all"
        )
        assert families.fetchall() == [(1, 1, 2)]
        assert revenue_model_versions(con) == ["naive-page-hour-mean (too few training sends)"]
        assert con.sql("select count(*) from sendwise_ml.fan_clusters").fetchone()[0] == 0
    finally:
        con.close()


@pytest.mark.slow
def test_an_agency_whose_ppvs_never_sold_builds(tmp_path):
    """Every send and chat offer of the small demo unsold and every post unseen (earnings, purchases,
    tips, chat revenue and content metrics 0): the whole build is green. It stopped before on the
    revenue model, whose Poisson loss cannot fit a zero total (166 nodes skipped, the weekly template
    among them); the predictions are now the baseline's, 0, with the reason in model_version, and
    the weekly template is planned."""
    from sendwise.cli import main

    db = tmp_path / "test.duckdb"
    edge = ["--edge", "zero_revenue"]  # sendwise.demo.edges
    assert (
        main(["demo-data", "--scale", "small", "--seed", "42", "--db", str(db), "--end", AS_OF, *edge]) == 0
    )
    assert main(["prepare-db", "--db", str(db), "--as-of", AS_OF]) == 0
    assert_whole_build_green(db, tmp_path / "target", "--exclude-resource-type", "unit_test")
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert revenue_model_versions(con) == ["naive-page-hour-mean (no revenue in the training sends)"]
        assert (
            con.sql("select max(predicted_revenue) from sendwise_marts.ml_revenue_predictions").fetchone()[0]
            == 0
        )
        assert con.sql("select count(*) from sendwise_marts.weekly_template_7d").fetchone()[0] > 0
    finally:
        con.close()
