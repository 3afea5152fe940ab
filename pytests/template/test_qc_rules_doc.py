"""The rule table of docs/template_qc.md says what the seed template_qc_rules says (the rules
weekly_template_qc_violations can hold, their tiers and the docs/ sections they enforce), and every
cited section exists. Reads two files: no database, no dbt."""

from __future__ import annotations

import csv
import re

from sendwise.paths import PROJECT_ROOT

SEED = PROJECT_ROOT / "seeds/template_qc_rules.csv"
DOC = PROJECT_ROOT / "docs/template_qc.md"
SEVERITY = {1: "error", 2: "warn", 3: "log"}
RULE_ROW = re.compile(
    r"^\| `(?P<rule_id>[a-z0-9_]+)` \| (?P<tier>\d) \|.*\| \[(?P<section>[^\]]+)\]\((?P<link>[^)]+)\) \|$"
)


def seed_rules() -> list[dict[str, str]]:
    with SEED.open(newline="") as handle:
        return list(csv.DictReader(handle))


def doc_rules() -> list[dict[str, str]]:
    return [m.groupdict() for line in DOC.read_text().splitlines() if (m := RULE_ROW.match(line))]


def heading_anchors(page: str) -> set[str]:
    """GitHub's anchors of a markdown page's headings: lowercase, punctuation dropped, spaces -> '-'."""
    anchors = set()
    for line in (PROJECT_ROOT / page).read_text().splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            anchors.add(re.sub(r"[^a-z0-9 _-]", "", title).replace(" ", "-"))
    return anchors


def test_doc_table_matches_the_seed():
    seed = [(r["rule_id"], int(r["tier"]), r["doc_section"]) for r in seed_rules()]
    doc = [(r["rule_id"], int(r["tier"]), r["section"]) for r in doc_rules()]
    assert doc == seed
    for row in doc_rules():
        assert "docs/" + row["link"] == row["section"], row


def test_seed_rules_are_consistent_and_cite_existing_sections():
    rules = seed_rules()
    assert len({r["rule_id"] for r in rules}) == len(rules)
    for rule in rules:
        assert SEVERITY[int(rule["tier"])] == rule["severity"], rule
        assert rule["description"].strip(), rule
        page, _, anchor = rule["doc_section"].partition("#")
        assert page.startswith("docs/") and (PROJECT_ROOT / page).is_file(), rule
        assert anchor in heading_anchors(page), rule
