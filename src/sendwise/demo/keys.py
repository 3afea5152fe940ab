"""Normalisation rules shared by the generator and its tests (staging applies the same rules).

* page key: lowercase, trim, runs of spaces / hyphens / underscores -> one underscore;
* caption hash text: lowercase, HTML entities decoded, whitespace collapsed, trimmed.
"""

from __future__ import annotations

import html
import re

_SEP = re.compile(r"[\s_\-]+")
_WS = re.compile(r"\s+")


def page_key(name: str | None) -> str | None:
    if name is None:
        return None
    return _SEP.sub("_", name.strip().lower())


def normalise_text(text: str | None) -> str | None:
    if text is None:
        return None
    return _WS.sub(" ", html.unescape(text.lower())).strip()
