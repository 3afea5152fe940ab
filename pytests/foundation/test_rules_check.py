"""The project-rules check catches each rule it claims (on small synthetic manifests)."""

from __future__ import annotations

from sendwise.commands.rules_check import check


def _model(name, path, parents=(), description="a model", materialized="view", raw="select 1", columns=None):
    return {
        "resource_type": "model",
        "package_name": "sendwise",
        "name": name,
        "original_file_path": path,
        "depends_on": {"nodes": list(parents)},
        "description": description,
        "config": {"materialized": materialized},
        "columns": columns or {"id": {"description": "key"}},
        "raw_code": raw,
        "language": "sql",
    }


def _pk_tests(model_id):
    return {
        f"test.{model_id}.unique": {
            "resource_type": "test",
            "attached_node": model_id,
            "column_name": "id",
            "test_metadata": {"name": "unique"},
        },
        f"test.{model_id}.not_null": {
            "resource_type": "test",
            "attached_node": model_id,
            "column_name": "id",
            "test_metadata": {"name": "not_null"},
        },
    }


def _manifest(models, sources=("source.sendwise.raw.t",)):
    nodes = {}
    for m in models:
        uid = f"model.sendwise.{m['name']}"
        nodes[uid] = m
        nodes.update(_pk_tests(uid))
    return {"nodes": nodes, "sources": {s: {"package_name": "sendwise"} for s in sources}}


def _good():
    return [
        _model("base_raw__t", "models/staging/raw/base/base_raw__t.sql", ["source.sendwise.raw.t"]),
        _model("stg_raw__t", "models/staging/raw/stg_raw__t.sql", ["model.sendwise.base_raw__t"]),
        _model("int_t_joined", "models/intermediate/x/int_t_joined.sql", ["model.sendwise.stg_raw__t"]),
        _model("t_mart", "models/marts/x/t_mart.sql", ["model.sendwise.int_t_joined"], materialized="table"),
    ]


def test_a_clean_project_has_no_problems():
    assert check(_manifest(_good()), None, 8, 5) == []


def test_source_read_outside_base_is_reported():
    models = _good()
    models[2]["depends_on"]["nodes"].append("source.sendwise.raw.t")
    problems = check(_manifest(models), None, 8, 5)
    assert any("int_t_joined: reads a source" in p for p in problems)
    assert any("read by 2 models" in p for p in problems)


def test_staging_on_staging_is_reported():
    models = _good()
    models.append(_model("stg_raw__u", "models/staging/raw/stg_raw__u.sql", ["model.sendwise.stg_raw__t"]))
    assert any("staging reads staging" in p for p in check(_manifest(models), None, 8, 5))


def test_missing_description_pk_and_bad_name_are_reported():
    models = _good()
    models.append(
        _model("orders", "models/intermediate/x/orders.sql", ["model.sendwise.stg_raw__t"], description="")
    )
    manifest = _manifest(models)
    del manifest["nodes"]["test.model.sendwise.orders.unique"]
    problems = check(manifest, None, 8, 5)
    assert any("orders: no description" in p for p in problems)
    assert any("orders: no primary-key test" in p for p in problems)
    assert any("orders: a intermediate model must be named int_*" in p for p in problems)


def test_rules_folded_into_column_checks_count_for_the_primary_key():
    """A model's unique and not_null tests folded into one column_checks test (tests/generic) still
    make unique + not_null on its key, and so does a folded unique combination; unique and not_null
    on two different columns do not."""
    models = _good()
    models.append(
        _model("int_t_folded", "models/intermediate/x/int_t_folded.sql", ["model.sendwise.stg_raw__t"])
    )
    manifest = _manifest(models)
    uid = "model.sendwise.int_t_folded"
    del manifest["nodes"][f"test.{uid}.not_null"]
    del manifest["nodes"][f"test.{uid}.unique"]
    kwargs = {"not_null": ["other", "id"], "unique": ["id"]}
    folded = {
        "resource_type": "test",
        "attached_node": uid,
        "column_name": None,
        "test_metadata": {"name": "column_checks", "kwargs": kwargs},
    }
    manifest["nodes"][f"test.{uid}.column_checks"] = folded
    assert check(manifest, None, 8, 5) == []
    kwargs["not_null"] = ["other"]
    assert any("int_t_folded: no primary-key test" in p for p in check(manifest, None, 8, 5))
    kwargs["unique_combinations"] = [["id", "other"]]
    assert check(manifest, None, 8, 5) == []


def test_python_model_names_follow_their_folder():
    models = _good()
    for name, path in (
        ("fan_scores", "python_models/fans/fan_scores.py"),
        ("ml_scores", "python_models/scheduling/ml_scores.py"),
        ("scores", "python_models/content/scores.py"),
        ("fan_things", "python_models/ops/fan_things.py"),
        ("page_x", "python_models/misc/page_x.py"),
    ):
        models.append(_model(name, path, ["model.sendwise.int_t_joined"]))
    problems = [p for p in check(_manifest(models), None, 8, 5) if "Python model" in p]
    assert sorted(problems) == [
        "fan_things: a Python model in python_models/ops must be named page_*",
        "page_x: Python model in a folder without a naming rule (misc)",
        "scores: a Python model in python_models/content must be named ml_*",
    ]


def test_hard_coded_relation_is_reported_but_ctes_and_refs_are_not():
    models = _good()
    models[3]["raw_code"] = (
        "with a as (select * from {{ ref('int_t_joined') }}) select * from a join analytics.orders o on true"
    )
    problems = check(_manifest(models), None, 8, 5)
    assert any("hard-coded relation `join analytics.orders`" in p for p in problems)
    models[3]["raw_code"] = "with a as (select * from {{ ref('int_t_joined') }}) select a.x from a"
    assert check(_manifest(models), None, 8, 5) == []


def test_chained_views_and_undocumented_built_columns_are_reported():
    models = _good()
    parent = "model.sendwise.int_t_joined"
    for i in range(6):
        models.append(_model(f"int_chain_{i}", f"models/intermediate/x/int_chain_{i}.sql", [parent]))
        parent = f"model.sendwise.int_chain_{i}"
    catalog = {"nodes": {"model.sendwise.t_mart": {"columns": {"id": {}, "secret_col": {}}}}}
    problems = check(_manifest(models), catalog, 8, 5)
    assert any("chain of" in p for p in problems)
    assert any("t_mart: undocumented columns secret_col" in p for p in problems)


def test_a_sql_model_longer_than_the_limit_is_reported():
    from sendwise.commands.rules_check import MAX_SQL_MODEL_LINES

    models = _good()
    models[2]["raw_code"] = "select 1\n" + "-- a line\n" * (MAX_SQL_MODEL_LINES - 1)
    assert check(_manifest(models), None, 8, 5) == []  # exactly at the limit: fine
    models[2]["raw_code"] += "-- one line too many\n"
    problems = check(_manifest(models), None, 8, 5)
    assert problems == [
        f"int_t_joined: {MAX_SQL_MODEL_LINES + 1} lines > {MAX_SQL_MODEL_LINES} "
        "(split it into named intermediate models)"
    ]
    # a Python model is not a SQL model: no limit here
    models.append(
        _model(
            "fan_scores",
            "python_models/fans/fan_scores.py",
            ["model.sendwise.int_t_joined"],
            raw="x = 1\n" * 400,
        )
        | {"language": "python"}
    )
    assert check(_manifest(models), None, 8, 5, max_sql_lines=MAX_SQL_MODEL_LINES + 1) == []


def test_a_case_or_window_without_a_unit_test_is_reported():
    models = _good()
    models[2]["raw_code"] = "select id, case when id > 1 then 'b' end as band from {{ ref('stg_raw__t') }}"
    models[3]["raw_code"] = "-- a case in a comment\nselect id, row_number() OVER (order by id) as n from x"
    manifest = _manifest(models)
    assert check(manifest, None, 8, 5) == [
        "int_t_joined: a `case` without a unit test (add one to its YAML's unit_tests)",
        "t_mart: a `over (` without a unit test (add one to its YAML's unit_tests)",
    ]
    manifest["unit_tests"] = {
        "unit_test.sendwise.int_t_joined.t1": {"model": "int_t_joined"},
        "unit_test.sendwise.t_mart.t1": {"model": "t_mart"},
    }
    assert check(manifest, None, 8, 5) == []
    models[2]["raw_code"] = "{# a case here is a comment #} select id, cased from x"  # no keyword left
    models[3]["raw_code"] = "select id from x -- over (a comment)"
    assert check(_manifest(models), None, 8, 5) == []


def _with_four_leaves():
    """_good() and four more leaf marts on int_t_joined: five direct leaf children with t_mart."""
    models = _good()
    for i in range(4):
        models.append(
            _model(
                f"leaf_{i}",
                f"models/marts/x/leaf_{i}.sql",
                ["model.sendwise.int_t_joined"],
                materialized="table",
            )
        )
    return models


def test_fanout_counts_direct_leaf_children_only():
    # four leaf marts on one intermediate model: reported at threshold 3, not at 5
    models = _with_four_leaves()
    assert any(
        "int_t_joined: fanout 5 > 3 direct leaf children" in p for p in check(_manifest(models), None, 3, 5)
    )
    assert not any("fanout" in p for p in check(_manifest(models), None, 5, 5))
    # the same children stop being leaves once something reads them: no longer reported
    models.append(
        _model(
            "reads_all",
            "models/marts/x/reads_all.sql",
            [f"model.sendwise.leaf_{i}" for i in range(4)] + ["model.sendwise.t_mart"],
            materialized="table",
        )
    )
    assert not any("fanout" in p for p in check(_manifest(models), None, 3, 5))


def _exposure(name, *parents):
    return {"name": name, "package_name": "sendwise", "depends_on": {"nodes": list(parents)}}


STAMPED = {
    "id": {"description": "key"},
    "as_of": {"description": "stamp"},
    "built_at": {"description": "stamp"},
}


def test_a_mart_an_exposure_reads_without_the_build_stamp_is_reported():
    models = _good()
    models.append(_model("fan_scores", "python_models/fans/fan_scores.py", ["model.sendwise.int_t_joined"]))
    models[-1]["language"] = "python"
    manifest = _manifest(models)
    manifest["exposures"] = {
        "exposure.sendwise.board": _exposure(
            "board", "model.sendwise.t_mart", "model.sendwise.fan_scores", "model.sendwise.stg_raw__t"
        ),
        "exposure.sendwise.export": _exposure("export", "model.sendwise.t_mart", "seed.sendwise.settings"),
    }
    _make_public(manifest)
    problems = check(manifest, None, 8, 5)
    assert any(
        p.startswith("t_mart: read by exposure board, export but no column as_of, built_at") for p in problems
    ), problems
    assert any(
        p.startswith("fan_scores: read by exposure board but no column as_of, built_at") for p in problems
    )
    # a staging model or a seed an exposure reads is not a mart: no stamp asked of it
    assert not any(p.startswith(("stg_raw__t:", "settings")) for p in problems)

    # documented: clean; documented but not built (catalog): reported
    for name in ("t_mart", "fan_scores"):
        manifest["nodes"][f"model.sendwise.{name}"]["columns"] = dict(STAMPED)
    assert check(manifest, None, 8, 5) == []
    catalog = {"nodes": {"model.sendwise.t_mart": {"columns": {"id": {}, "as_of": {}}}}}
    expected = "t_mart: read by exposure board, export but its table has no column built_at"
    assert check(manifest, catalog, 8, 5) == [f"{expected} (the build stamp: macro build_stamp)"]


def _make_public(manifest, python_model="fan_scores"):
    """The exposure parents public, the SQL ones with an enforced contract (the access rule's clean state)."""
    for name in ("t_mart", "stg_raw__t", python_model):
        node = manifest["nodes"][f"model.sendwise.{name}"]
        node["access"] = "public"
        if name != python_model:
            node["config"]["contract"] = {"enforced": True}


def test_exposure_parents_must_be_public_with_an_enforced_contract():
    models = _good()
    python_model = _model("fan_scores", "python_models/fans/fan_scores.py", ["model.sendwise.int_t_joined"])
    python_model["language"] = "python"
    models.append(python_model)
    for model in models:
        model["columns"] = dict(STAMPED)
    manifest = _manifest(models)
    manifest["exposures"] = {
        "exposure.sendwise.board": _exposure("board", "model.sendwise.t_mart", "model.sendwise.fan_scores"),
        "exposure.sendwise.export": _exposure("export", "model.sendwise.stg_raw__t"),
    }
    assert sorted(check(manifest, None, 8, 5)) == [
        "fan_scores: read by exposure board but not `access: public`",
        "stg_raw__t: read by exposure export but not `access: public`",
        "t_mart: read by exposure board but not `access: public`",
    ]
    _make_public(manifest)
    assert check(manifest, None, 8, 5) == []
    # a public SQL model without its contract; a public Python model that does not build a column
    # its YAML documents (dbt enforces no contract on Python models)
    del manifest["nodes"]["model.sendwise.t_mart"]["config"]["contract"]
    catalog = {"nodes": {"model.sendwise.fan_scores": {"columns": {"id": {}, "as_of": {}}}}}
    assert sorted(check(manifest, catalog, 8, 5)) == [
        "fan_scores: public Python model documents columns it does not build: built_at",
        "fan_scores: read by exposure board but its table has no column built_at (the build stamp: macro build_stamp)",
        "t_mart: public but its contract is not enforced (config: contract: enforced)",
    ]


def _python_models_copy(tmp_path):
    import shutil

    from sendwise.paths import PROJECT_ROOT

    shutil.copytree(PROJECT_ROOT / "python_models", tmp_path / "python_models")
    return tmp_path


def test_shared_python_blocks_are_one_text():
    from sendwise.commands.rules_check import SHARED_BLOCKS, shared_block_problems, shared_blocks
    from sendwise.paths import PROJECT_ROOT

    assert shared_block_problems() == []
    # the eight ML models (five of scheduling and content, three of fans) and the two kept fits (the
    # revenue GBM's, the fan predictions') carry the reuse block, the five Python marts and the two
    # fits the build stamp, every Python model the adapter (but fan_predictions.py, converted after
    # feat/predictor2, which has it since), the two LLM ledgers their clients, the two content models
    # their time split and card and the two caption models (near-duplicates, clusters) their update,
    # the four boosting files (the revenue GBM's fit and scores, the fan predictions' fit and scores)
    # their stable features, the GBM's fit and scores its feature encoding, both fits and the models
    # that score with them the kept fit's period and pickle, the fan predictions' fit and scores
    # their features and rows
    counts = dict.fromkeys(SHARED_BLOCKS, 0)
    for path in (PROJECT_ROOT / "python_models").rglob("*.py"):
        for name, copies in shared_blocks(path.read_text())[0].items():
            counts[name] += len(copies)
    assert counts == {
        "build_stamp": 7,
        "reuse": 10,
        "adapter": 16,
        "llm_ledger": 2,
        "content_card": 2,
        "update": 3,
        "stable_features": 4,
        "gbm_encoding": 2,
        "kept_fit": 5,
        "fan_predictions": 2,
    }


def test_a_copy_that_differs_fails_rules_check(tmp_path):
    from sendwise.commands.rules_check import shared_block_problems

    root = _python_models_copy(tmp_path)
    copy = root / "python_models/content/ml_engagement_model.py"
    text = copy.read_text()
    copy.write_text(
        text.replace("Var ml_retrain=true forces a new fit.", "Var ml_retrain=true forces a fit.")
    )
    problems = shared_block_problems(root)
    assert len(problems) == 1 and problems[0].startswith(
        "python_models/content/ml_engagement_model.py: shared block reuse differs from its canonical text"
    ), problems
    # a copy without its markers is reported too, and so is a marker left open (the file's last block)
    copy.write_text(text.replace("# <<< shared block adapter\n", ""))
    problems = shared_block_problems(root)
    assert any("never closes" in p for p in problems) and any(
        "outside a shared block adapter" in p for p in problems
    )
    stamp = root / "python_models/fans/fan_predictions.py"
    stamp.write_text(stamp.read_text().replace("# >>> shared block build_stamp", "# build stamp"))
    assert any(
        p.startswith("python_models/fans/fan_predictions.py: line ")
        and p.endswith("shared block build_stamp closes without opening")
        for p in shared_block_problems(root)
    )


def test_a_model_may_declare_more_leaf_children_with_a_reason():
    models = _with_four_leaves()
    # five leaves (t_mart and leaf_0..3): over the default 3 and over a declared 4, not over a declared 5
    models[2]["config"]["meta"] = {"max_leaf_children": 4, "max_leaf_children_reason": "five grains"}
    assert any(
        "int_t_joined: fanout 5 > 4 direct leaf children" in p for p in check(_manifest(models), None, 3, 5)
    )
    models[2]["config"]["meta"]["max_leaf_children"] = 5
    assert not any("fanout" in p or "max_leaf_children" in p for p in check(_manifest(models), None, 3, 5))
    # a limit without its reason is a problem of its own
    models[2]["config"]["meta"] = {"max_leaf_children": 5}
    problems = check(_manifest(models), None, 3, 5)
    assert any("int_t_joined: meta max_leaf_children without max_leaf_children_reason" in p for p in problems)
    assert not any("fanout" in p for p in problems)
