"""The weekly template's BigQuery-plannable models give the same schedules as the SQL they replaced.

`legacy/` holds the three models as they were before the rewrite for BigQuery (issue "BigQuery for
real"): the spacing solver that read every step again, the caption assignment with four conflict
rounds unrolled in one query, and the QC table reading the vault view in every re-derived send. They
are a test oracle, outside dbt's model paths (dbt, sqlfluff and rules-check never see them). On a
copy of the built test database, a temporary copy of the project gets them as `legacy_*` models; dbt
builds only those, each reading the same tables as the model that replaced it, and every table must
be identical row for row (as a multiset) to the current one. Built from whatever the demo generator
produces, so the check follows the demo data instead of a frozen fixture; weekly_template_7d is a
deterministic function of the two compared intermediate tables and unchanged inputs.

When the template's logic changes on purpose, the oracle says so here: update the legacy file in
the same change (or retire it) and say why. The build stamp (as_of, built_at: macro build_stamp,
added to the QC table after the rewrite) is not template logic: the current tables are compared
without it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from project_copy import copy_project

from sendwise.dbt import run_dbt, vars_arg
from sendwise.paths import DEFAULT_END

pytestmark = pytest.mark.e2e

LEGACY_DIR = Path(__file__).parent / "legacy"
# current model -> its legacy file (same name) in LEGACY_DIR
COMPARED = ["int_template_send_slots", "int_template_caption_assignment", "weekly_template_qc_violations"]
# the build stamp (macro build_stamp): built_at differs between the two builds by design
STAMP_COLUMNS = ("as_of", "built_at")


def _table_schema(con, name: str) -> str:
    rows = con.execute(
        "select table_schema from information_schema.tables where table_name = ?", [name]
    ).fetchall()
    assert len(rows) == 1, f"{name}: expected one relation, found {rows}"
    return rows[0][0]


@pytest.fixture(scope="module")
def legacy_db(built_db, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("template_legacy")
    project = copy_project(root / "project")
    legacy_models = project / "models" / "legacy"
    legacy_models.mkdir()
    for name in COMPARED:
        (legacy_models / f"legacy_{name}.sql").write_text((LEGACY_DIR / f"{name}.sql").read_text())
    # the macros the legacy SQL used and the project no longer has (the solver's string key)
    (project / "macros" / "legacy_macros.sql").write_text((LEGACY_DIR / "legacy_macros.sql").read_text())
    db = root / built_db.name  # same file name: the database's views name its catalog
    shutil.copy(built_db, db)
    result = run_dbt(
        [
            "run",
            "--quiet",
            "--project-dir",
            str(project),
            "--select",
            *[f"legacy_{name}" for name in COMPARED],
            "--vars",
            vars_arg({"as_of": DEFAULT_END}),
        ],
        duckdb_path=db,
        target_path=root / "target",
        capture=True,
        check=False,
    )
    assert result.returncode == 0, f"the legacy models did not build:\n{result.stdout}\n{result.stderr}"
    return db


@pytest.mark.parametrize("name", COMPARED)
def test_rewrite_matches_legacy(legacy_db, name):
    con = duckdb.connect(str(legacy_db), read_only=True)
    try:
        current = f"{_table_schema(con, name)}.{name}"
        legacy = f"{_table_schema(con, 'legacy_' + name)}.legacy_{name}"
        columns = [r[0] for r in con.execute(f"describe {current}").fetchall() if r[0] not in STAMP_COLUMNS]
        assert columns == [r[0] for r in con.execute(f"describe {legacy}").fetchall()]
        rows = con.execute(f"select count(*) from {current}").fetchone()[0]
        assert rows > 0, f"{name} is empty on the test database: nothing was compared"
        assert rows == con.execute(f"select count(*) from {legacy}").fetchone()[0]
        listed = ", ".join(columns)
        only_current = con.execute(
            f"select count(*) from (select {listed} from {current} except all select {listed} from {legacy})"
        ).fetchone()[0]
        only_legacy = con.execute(
            f"select count(*) from (select {listed} from {legacy} except all select {listed} from {current})"
        ).fetchone()[0]
    finally:
        con.close()
    assert (only_current, only_legacy) == (0, 0), f"{name}: rows differ from the legacy SQL"
