"""A clone of this repository explains itself: no tracked text file points at a document the
clone does not contain (the product specification, the house-conventions file or the earlier
systems' documents that once sat beside the repository, or a numbered section of them). What
those documents said lives in `docs/` (docs/DEVELOPING.md has the house conventions,
docs/data_contracts.md the raw tables).

Cheap: `git ls-files`, one read per file, binary files skipped."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from sendwise.paths import PROJECT_ROOT

# The patterns are assembled from pieces so this file does not match itself.
_SPEC = "SP" + "EC"
_SHARED = "sha" + "red"
FORBIDDEN: dict[str, re.Pattern[str]] = {
    "a path to the folder beside the repository": re.compile(re.escape("../" + _SHARED)),
    "the outside specification file": re.compile(re.escape(_SHARED + "/" + _SPEC)),
    "the outside conventions file": re.compile(re.escape("CONVENT" + "IONS.md")),
    "a citation of the outside specification": re.compile(r"\b" + _SPEC + r"\b"),
    "a citation of an outside template contract": re.compile(r"\bTEMPLATE_" + r"CONTRACT\b"),
}

# Files that may still hold a citation, each with its reason. Only for files this change could
# not edit; an entry whose file no longer cites anything fails the test, so it cannot go stale.
ALLOWED: dict[str, str] = {}


def _tracked_files() -> list[str]:
    if shutil.which("git") is None or not (PROJECT_ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    out = subprocess.run(
        ["git", "ls-files", "-z"], cwd=PROJECT_ROOT, check=True, capture_output=True
    ).stdout.decode()
    return [name for name in out.split("\0") if name]


def _text(name: str) -> str | None:
    path = PROJECT_ROOT / name
    if not path.is_file():  # deleted in the work tree but still tracked
        return None
    data = path.read_bytes()
    if b"\0" in data[:8192]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _citations() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name in _tracked_files():
        text = _text(name)
        if text is None:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            for what, pattern in FORBIDDEN.items():
                if pattern.search(line):
                    found.setdefault(name, []).append(f"{name}:{number}: {what}: {line.strip()[:100]}")
    return found


def test_no_citation_outside_the_repository():
    found = _citations()
    problems = [hit for name, hits in sorted(found.items()) if name not in ALLOWED for hit in hits]
    assert not problems, "cite the repository's own docs/ page instead:\n" + "\n".join(problems)
    stale = sorted(name for name in ALLOWED if name not in found)
    assert not stale, "allow-list entries without a citation left, remove them: " + ", ".join(stale)


def test_the_patterns_catch_what_they_should():
    samples = {
        "see " + _SPEC + " 7": "a citation of the outside specification",
        "(" + _SPEC + " section 2)": "a citation of the outside specification",
        "`../" + _SHARED + "/reference/x.md`": "a path to the folder beside the repository",
        "in " + _SHARED + "/" + _SPEC + ".md": "the outside specification file",
        "CONVENT" + "IONS.md": "the outside conventions file",
        "(TEMPLATE_" + "CONTRACT item 3)": "a citation of an outside template contract",
    }
    for text, what in samples.items():
        assert FORBIDDEN[what].search(text), text
    for harmless in ("spec = importlib.util.spec_from_file_location", "spec_section", "SPECIAL"):
        assert not any(pattern.search(harmless) for pattern in FORBIDDEN.values()), harmless


def test_no_merge_conflict_markers_are_left():
    """A merge left half-resolved would still parse as SQL comments or YAML text in places."""
    marker = re.compile("^(" + "<" * 7 + " |" + ">" * 7 + " )")
    left = []
    for name in _tracked_files():
        text = _text(name)
        for number, line in enumerate((text or "").splitlines(), start=1):
            if marker.match(line):
                left.append(f"{name}:{number}: {line[:60]}")
    assert not left, "merge conflict markers left:\n" + "\n".join(left)
    assert marker.match("<" * 7 + " HEAD") and not marker.match("<" * 3 + " text")
