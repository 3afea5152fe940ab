"""A settings file edited wrong (a typo for a number, a bound turned upside down, a fraction where a
count belongs, a range that names no setting) stops `dbt build` right after the seed loads, in one line naming every bad setting,
and no model that reads the settings is built from it (tests/settings/assert_settings_are_valid.sql;
the rules are the seed's min_value, max_value, whole_number and not_above columns)."""

from __future__ import annotations

import csv
import json
import shutil

import pytest
from project_copy import copy_project

from sendwise.dbt import run_dbt

pytestmark = pytest.mark.e2e

VARS = '{as_of: "2026-11-15 00:00:00"}'
# setting -> the column and value written into the copy's seed file, and the part of the message
# it must give (one edit per rule of the test)
EDITS = {
    "min_gap_hours": ("setting_value", "two", "min_gap_hours = 'two': not a number"),
    "template_days": ("setting_value", "0", "template_days = '0': below min_value 1"),
    "winsor_pct_high": ("setting_value", "1.5", "winsor_pct_high = '1.5': above max_value 1"),
    "ranking_top_n": ("setting_value", "2.5", "ranking_top_n = '2.5': not a whole number"),
    "price_min": ("setting_value", "200", "price_min = '200': above the not_above setting price_max (100)"),
    "ucb_sigma_min": (
        "not_above",
        "ucb_sigma_maximum",
        "ucb_sigma_min = '0.15': not_above names no number setting (ucb_sigma_maximum)",
    ),
}


def test_a_bad_settings_file_stops_the_build_in_one_line(built_db, tmp_path):
    project = copy_project(tmp_path / "project")
    seed = project / "seeds" / "settings_modeling.csv"
    with seed.open(newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames, list(reader)
    for row in rows:
        if row["setting_name"] in EDITS:
            column, value, _ = EDITS[row["setting_name"]]
            row[column] = value
    with seed.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    db = tmp_path / built_db.name  # same file name: the database's views name its catalog
    shutil.copyfile(built_db, db)

    result = run_dbt(
        [
            "build",
            "--project-dir",
            str(project),
            "--select",
            "settings_modeling+1",
            "--exclude-resource-type",
            "unit_test",
            "--vars",
            VARS,
        ],
        duckdb_path=db,
        target_path=tmp_path / "target",
        capture=True,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    # one line, every bad setting in it (sorted by name), nothing else named
    expected = "seeds/settings_modeling.csv: " + "; ".join(EDITS[name][2] for name in sorted(EDITS))
    assert any(line.strip() == expected for line in output.splitlines()), output[-3000:]
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    statuses = {r["unique_id"]: r["status"] for r in results}
    assert statuses["seed.sendwise.settings_modeling"] == "success"
    models = {uid: status for uid, status in statuses.items() if uid.startswith("model.")}
    assert len(models) > 50, sorted(models)  # the seed's children: nearly every model reads a setting
    assert set(models.values()) == {"skipped"}, {uid: s for uid, s in models.items() if s != "skipped"}
