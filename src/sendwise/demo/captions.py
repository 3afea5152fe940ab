"""Caption bank: template-built texts (vectorised over rows), hidden quality, planted near-duplicates."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sendwise.contracts import VAULT_CATEGORIES
from sendwise.demo import vocab
from sendwise.demo.truth import emoji_bin, length_bin

_O = object
CATS = np.array(VAULT_CATEGORIES, dtype=_O)
N_CAT = len(VAULT_CATEGORIES)
N_THEME = len(vocab.THEMES)
N_BODY = len(next(iter(vocab.BODIES.values())))
N_OPENER = len(next(iter(vocab.OPENERS.values())))
_NUMS = np.array([str(i) for i in range(200)], dtype=_O)
_EMOJI = np.array(vocab.EMOJI, dtype=_O)


def _pairs(items) -> tuple[np.ndarray, np.ndarray]:
    return np.array([a for a, _ in items], dtype=_O), np.array([b for _, b in items], dtype=_O)


OPENER_TXT = np.array([[o for o, _ in vocab.OPENERS[t]] for t in vocab.TONES], dtype=_O)
OPENER_ALT = np.array([[a for _, a in vocab.OPENERS[t]] for t in vocab.TONES], dtype=_O)
BODY_PRE = np.array([[b[0] for b in vocab.BODIES[t]] for t in vocab.THEMES], dtype=_O)
BODY_SUF = np.array([[b[1] for b in vocab.BODIES[t]] for t in vocab.THEMES], dtype=_O)
BODY_ALT = np.array([[b[2] for b in vocab.BODIES[t]] for t in vocab.THEMES], dtype=_O)
NOUNS = np.array([vocab.CATEGORY_NOUNS[c] for c in VAULT_CATEGORIES], dtype=_O)
SEPS = np.array(vocab.SEPARATORS, dtype=_O)
COLORS = np.array(vocab.DETAIL_COLORS, dtype=_O)
FABRICS = np.array(vocab.DETAIL_FABRICS, dtype=_O)
ITEM_TXT, ITEM_ALT = _pairs(vocab.DETAIL_ITEMS)
PUNCT_TXT, PUNCT_ALT = _pairs(vocab.PUNCTS)
CTA_TXT, CTA_ALT = _pairs(vocab.CTAS)
URG_TXT, URG_ALT = _pairs(vocab.URGENCIES)
Q_TXT, Q_ALT = _pairs(vocab.QUESTIONS)
INSERTS = np.array(vocab.INSERTIONS, dtype=_O)
SCENE_PRE = np.array(vocab.SCENE_PREFIXES, dtype=_O)
SCENE_PLACE = np.array(vocab.SCENE_PLACES, dtype=_O)
# Detail patterns parsed once into literal / slot pieces.
DETAIL_PIECES = [re.split(r"(\{[a-z]\})", p) for p in vocab.DETAIL_PATTERNS]
PATTERN_HAS_ITEM = np.array(["{i}" in p for p in vocab.DETAIL_PATTERNS])

# Parts a near-duplicate may reword (index into the alt-flag matrix)
ALT_PARTS = ("opener", "body", "item", "cta", "urgency", "question")


@dataclass
class Parts:
    """Component choices of n captions (one array per component)."""

    cat: np.ndarray
    tone: np.ndarray
    theme: np.ndarray
    opener: np.ndarray
    sep: np.ndarray
    body: np.ndarray
    noun: np.ndarray
    pattern: np.ndarray
    color: np.ndarray
    fabric: np.ndarray
    item: np.ndarray
    n1: np.ndarray
    n2: np.ndarray
    scene: np.ndarray  # -1 = none
    place: np.ndarray
    punct: np.ndarray
    has_urg: np.ndarray
    urg: np.ndarray
    has_cta: np.ndarray
    cta: np.ndarray
    has_q: np.ndarray
    q: np.ndarray
    n_emoji: np.ndarray
    emoji: np.ndarray  # (n, 5)
    insert: np.ndarray  # -1 = none
    alt: np.ndarray  # (n, len(ALT_PARTS)) bool
    punct_alt: np.ndarray  # bool
    upper_first: np.ndarray  # bool: first letter in upper case
    emoji_front: np.ndarray  # bool: the emoji block opens the caption instead of closing it

    def take(self, idx: np.ndarray) -> Parts:
        return Parts(**{k: v[idx].copy() for k, v in self.__dict__.items()})

    def put(self, idx: np.ndarray, other: Parts) -> None:
        for k, v in self.__dict__.items():
            v[idx] = getattr(other, k)


def category_weights() -> np.ndarray:
    w = np.array([vocab.CATEGORY_POPULARITY[c] for c in VAULT_CATEGORIES], dtype=float)
    return w / w.sum()


def draw_parts(rng: np.random.Generator, n: int, cat: np.ndarray | None = None) -> Parts:
    if cat is None:
        cat = rng.choice(N_CAT, size=n, p=category_weights())
    explicit = np.isin(CATS[cat], list(vocab.EXPLICIT_CATEGORIES))
    tone_p_explicit = np.array([0.10, 0.15, 0.25, 0.35, 0.05, 0.10])
    tone_p_soft = np.array([0.22, 0.25, 0.15, 0.05, 0.18, 0.15])
    tone = np.where(
        explicit, rng.choice(6, size=n, p=tone_p_explicit), rng.choice(6, size=n, p=tone_p_soft)
    ).astype(np.int64)
    n_emoji = rng.choice(6, size=n, p=[0.25, 0.25, 0.2, 0.15, 0.1, 0.05])
    return Parts(
        cat=np.asarray(cat, dtype=np.int64),
        tone=tone,
        theme=rng.integers(0, N_THEME, n),
        opener=rng.integers(0, N_OPENER, n),
        sep=rng.integers(0, len(SEPS), n),
        body=rng.integers(0, N_BODY, n),
        noun=rng.integers(0, 2, n),
        pattern=rng.integers(0, len(DETAIL_PIECES), n),
        color=rng.integers(0, len(COLORS), n),
        fabric=rng.integers(0, len(FABRICS), n),
        item=rng.integers(0, len(ITEM_TXT), n),
        n1=rng.integers(2, 60, n),
        n2=rng.integers(2, 25, n),
        scene=np.where(rng.random(n) < 0.55, rng.integers(0, len(SCENE_PRE), n), -1),
        place=rng.integers(0, len(SCENE_PLACE), n),
        punct=rng.integers(0, len(PUNCT_TXT), n),
        has_urg=rng.random(n) < 0.32,
        urg=rng.integers(0, len(URG_TXT), n),
        has_cta=rng.random(n) < 0.55,
        cta=rng.integers(0, len(CTA_TXT), n),
        has_q=rng.random(n) < 0.25,
        q=rng.integers(0, len(Q_TXT), n),
        n_emoji=n_emoji,
        emoji=rng.integers(0, len(_EMOJI), (n, 5)),
        insert=np.full(n, -1, dtype=np.int64),
        alt=np.zeros((n, len(ALT_PARTS)), dtype=bool),
        punct_alt=np.zeros(n, dtype=bool),
        upper_first=np.zeros(n, dtype=bool),
        emoji_front=np.zeros(n, dtype=bool),
    )


def _pick(txt: np.ndarray, alt: np.ndarray, idx, use_alt: np.ndarray) -> np.ndarray:
    return np.where(use_alt, alt[idx], txt[idx])


def _join(out: np.ndarray, part: np.ndarray, sep: np.ndarray | str) -> np.ndarray:
    return np.where(part != "", out + sep + part, out)


def render(p: Parts) -> np.ndarray:
    """Caption texts of the given parts (object array of str)."""
    n = p.cat.shape[0]
    a = {name: p.alt[:, i] for i, name in enumerate(ALT_PARTS)}
    opener = np.where(a["opener"], OPENER_ALT[p.tone, p.opener], OPENER_TXT[p.tone, p.opener])
    opener = np.where(p.insert >= 0, opener + INSERTS[np.maximum(p.insert, 0)], opener)
    body = np.where(a["body"], BODY_ALT[p.theme, p.body], BODY_PRE[p.theme, p.body])
    body = body + NOUNS[p.cat, p.noun] + BODY_SUF[p.theme, p.body]
    slots = {
        "{c}": COLORS[p.color],
        "{f}": FABRICS[p.fabric],
        "{i}": _pick(ITEM_TXT, ITEM_ALT, p.item, a["item"]),
        "{n}": _NUMS[p.n1],
        "{m}": _NUMS[p.n2],
    }
    detail = np.full(n, "", dtype=_O)
    for k, pieces in enumerate(DETAIL_PIECES):
        m = p.pattern == k
        if not m.any():
            continue
        s = np.full(m.sum(), "", dtype=_O)
        for piece in pieces:
            s = s + (slots[piece][m] if piece in slots else piece)
        detail[m] = s
    punct = _pick(PUNCT_TXT, PUNCT_ALT, p.punct, p.punct_alt)
    scene = np.where(p.scene >= 0, " " + SCENE_PRE[np.maximum(p.scene, 0)] + " " + SCENE_PLACE[p.place], "")
    out = opener + SEPS[p.sep] + body + detail + scene + punct
    urg = np.where(p.has_urg, _pick(URG_TXT, URG_ALT, p.urg, a["urgency"]), "")
    cta = np.where(p.has_cta, _pick(CTA_TXT, CTA_ALT, p.cta, a["cta"]), "")
    emo = np.full(n, "", dtype=_O)
    for j in range(5):
        emo = np.where(p.n_emoji > j, emo + _EMOJI[p.emoji[:, j]], emo)
    q = np.where(p.has_q, _pick(Q_TXT, Q_ALT, p.q, a["question"]), "")
    out = _join(out, urg, " ")
    out = _join(out, cta, np.where(p.has_urg, ", ", " "))
    out = _join(out, np.where(p.emoji_front, "", emo), " ")
    out = _join(out, q, " ")
    out = np.where(p.emoji_front & (emo != ""), emo + " " + out, out)
    if p.upper_first.any():
        out[p.upper_first] = np.array([t[:1].upper() + t[1:] for t in out[p.upper_first]], dtype=_O)
    return out


def lower(texts: np.ndarray) -> np.ndarray:
    return np.asarray(
        pc.utf8_lower(pa.array(texts, type=pa.string())).to_numpy(zero_copy_only=False), dtype=_O
    )


def char_length(texts: np.ndarray) -> np.ndarray:
    return pc.utf8_length(pa.array(texts, type=pa.string())).to_numpy(zero_copy_only=False).astype(np.int64)


def draw_unique(
    rng: np.random.Generator, n: int, exclude: np.ndarray | None = None
) -> tuple[Parts, np.ndarray]:
    """n ordinary captions with pairwise-distinct normalised text (and none in `exclude`)."""
    parts = draw_parts(rng, n)
    texts = render(parts)
    for _ in range(50):
        low = pd.Series(lower(texts))
        bad = low.duplicated().to_numpy()
        if exclude is not None:
            bad |= low.isin(exclude).to_numpy()
        if not bad.any():
            break
        idx = np.flatnonzero(bad)
        fresh = draw_parts(rng, idx.size, cat=parts.cat[idx])
        parts.put(idx, fresh)
        texts[idx] = render(fresh)
    else:  # pragma: no cover - astronomically unlikely
        raise RuntimeError("could not draw unique captions")
    return parts, texts


# Kinds of edit that turn a caption into a planted near-duplicate (one kind per variant).
EDIT_KINDS: tuple[str, ...] = (
    "word_substitution",  # one part reworded ("hey cutie" -> "hi cutie")
    "emoji_swap",  # one emoji replaced (or one added when there is none)
    "punctuation_case",  # the closing punctuation changed and the first letter capitalised
    "extension",  # a small word inserted after the opener
    "truncation",  # the trailing question, emoji, call to action or urgency dropped
    "reordering",  # the emoji block moved from the end to the front
)


def _applicable_kinds(v: Parts) -> np.ndarray:
    n = v.cat.shape[0]
    droppable = v.has_q | (v.n_emoji > 0) | v.has_cta | v.has_urg
    ok = np.ones((n, len(EDIT_KINDS)), dtype=bool)
    ok[:, EDIT_KINDS.index("truncation")] = droppable
    ok[:, EDIT_KINDS.index("reordering")] = v.n_emoji > 0
    return ok


def _truncate(v: Parts, m: np.ndarray) -> None:
    """Drop the last trailing part of each masked caption: question, else emoji, else CTA, else urgency."""
    q = m & v.has_q
    v.has_q[q] = False
    e = m & ~q & (v.n_emoji > 0)
    v.n_emoji[e] = 0
    c = m & ~q & ~e & v.has_cta
    v.has_cta[c] = False
    v.has_urg[m & ~q & ~e & ~c] = False


def plant_near_duplicates(
    rng: np.random.Generator, parts: Parts, originals: np.ndarray
) -> tuple[Parts, np.ndarray]:
    """One small edit per variant, its kind drawn among those the original allows (EDIT_KINDS);
    returns (variant parts, kind index per variant)."""
    v = parts.take(originals)
    n = originals.size
    kind = np.argmax(np.where(_applicable_kinds(v), rng.random((n, len(EDIT_KINDS))), -1.0), axis=1)
    has = lambda name: kind == EDIT_KINDS.index(name)  # noqa: E731
    m = has("word_substitution")
    avail = np.column_stack(
        [np.ones(n, bool), np.ones(n, bool), PATTERN_HAS_ITEM[v.pattern], v.has_cta, v.has_urg, v.has_q]
    )
    choice = np.argmax(np.where(avail, rng.random((n, len(ALT_PARTS))), -1.0), axis=1)
    v.alt[np.flatnonzero(m), choice[m]] = True
    m = has("emoji_swap")
    none = m & (v.n_emoji == 0)
    v.n_emoji[none] = 1
    some = m & ~none
    v.emoji[some, 0] = (v.emoji[some, 0] + rng.integers(1, len(_EMOJI), some.sum())) % len(_EMOJI)
    m = has("punctuation_case")
    v.punct_alt[m] = True
    v.upper_first[m] = True
    m = has("extension")
    v.insert[m] = rng.integers(0, len(INSERTS), m.sum())
    _truncate(v, has("truncation"))
    v.emoji_front[has("reordering")] = True
    return v, kind


def _unique_variants(rng, parts: Parts, texts: np.ndarray, n_nd: int):
    """(originals, variant parts, variant texts, edit kind index): n_nd planted near-duplicates whose
    normalised text equals no other caption (a clash is redone as an extension of its original)."""
    n_ord = texts.size
    originals = np.sort(rng.choice(n_ord, size=n_nd, replace=False))
    vparts, kind = plant_near_duplicates(rng, parts, originals)
    vtexts = render(vparts)
    low_all = pd.Series(lower(np.concatenate([texts, vtexts])))
    for attempt in range(50):
        bad = low_all.duplicated(keep="first").to_numpy()[n_ord:]
        if not bad.any():
            return originals, vparts, vtexts, kind
        idx = np.flatnonzero(bad)  # another inserted word each try
        redo = parts.take(originals[idx])
        redo.insert[:] = (attempt + np.arange(idx.size)) % len(INSERTS)
        vparts.put(idx, redo)
        kind[idx] = EDIT_KINDS.index("extension")
        vtexts[idx] = render(redo)
        low_all = pd.Series(lower(np.concatenate([texts, vtexts])))
    raise RuntimeError("could not make near-duplicates unique")  # pragma: no cover


def _hidden_attributes(rng, allp: Parts, originals: np.ndarray, start, end) -> dict[str, np.ndarray]:
    """Quality (family + caption effect; variants copy their original's), created_at (80 % before the
    history, the rest spread over it, so new captions arrive every week; variants after their
    original), price tier, usage status and a validation level mildly correlated with quality."""
    total, n_nd = allp.cat.size, originals.size
    n_ord = total - n_nd
    family = allp.cat * N_THEME + allp.theme
    fam_eff = rng.normal(0.0, 0.15, N_CAT * N_THEME)
    quality = fam_eff[family] + rng.normal(0.0, 0.32, total)
    quality[n_ord:] = quality[originals] + rng.normal(0.0, 0.04, n_nd)
    span = (end - start).astype("timedelta64[s]").astype(np.int64)
    before = rng.random(total) < 0.8
    offs = np.where(
        before, -rng.integers(3600, 365 * 86400, total), rng.integers(0, max(span - 86400, 3600), total)
    )
    created = start.astype("datetime64[s]").astype(np.int64) + offs
    created[n_ord:] = np.minimum(
        created[originals] + rng.integers(86400, 60 * 86400, n_nd),
        end.astype("datetime64[s]").astype(np.int64) - 3600,
    )
    explicit = np.isin(CATS[allp.cat], list(vocab.EXPLICIT_CATEGORIES))
    tier = np.where(
        explicit,
        rng.choice(3, size=total, p=[0.15, 0.40, 0.45]),
        rng.choice(3, size=total, p=[0.40, 0.45, 0.15]),
    )
    status = np.where(rng.random(total) < 0.9, "available", "archived").astype(_O)
    vscore = quality + rng.normal(0, 0.5, total)
    qlo, qhi = np.quantile(vscore, [0.2, 0.65])
    validation = np.where(vscore < qlo, "low", np.where(vscore < qhi, "medium", "high")).astype(_O)
    return {"quality": quality, "created": created, "tier": tier, "status": status, "validation": validation}


def generate_captions(
    rng: np.random.Generator, n: int, near_dup_share: float, start: np.datetime64, end: np.datetime64
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Returns (caption_bank rows in contract order, truth rows). Caption ids follow created_at order."""
    n_nd = max(2, round(n * near_dup_share))
    n_ord = n - n_nd
    parts, texts = draw_unique(rng, n_ord)
    originals, vparts, vtexts, kind = _unique_variants(rng, parts, texts, n_nd)
    allp = Parts(**{k: np.concatenate([getattr(parts, k), getattr(vparts, k)]) for k in parts.__dict__})
    all_text = np.concatenate([texts, vtexts])
    total = n_ord + n_nd
    is_var = np.arange(total) >= n_ord
    orig_of = np.full(total, -1, dtype=np.int64)
    orig_of[n_ord:] = originals
    h = _hidden_attributes(rng, allp, originals, start, end)
    quality, created, tier, status, validation = (
        h[k] for k in ("quality", "created", "tier", "status", "validation")
    )

    order = np.lexsort((np.arange(total), created))
    ids = np.empty(total, dtype=_O)
    width = max(6, len(str(total)))
    ids[order] = np.char.add("cap_", np.char.zfill(np.arange(1, total + 1).astype(str), width)).astype(_O)

    n_chars = char_length(all_text)
    bank = pd.DataFrame(
        {
            "caption_id": ids,
            "caption_text": all_text,
            "content_category": CATS[allp.cat],
            "price_tier": np.array(vocab.PRICE_TIERS, dtype=_O)[tier],
            "tone": np.array(vocab.TONES, dtype=_O)[allp.tone],
            "usage_status": status,
            "validation_level": validation,
            "created_at": created.astype("datetime64[s]"),
        }
    )
    truth = pd.DataFrame(
        {
            "caption_id": ids,
            "content_category": CATS[allp.cat],
            "theme": np.array(vocab.THEMES, dtype=_O)[allp.theme],
            "family_id": np.char.add(
                np.char.add(CATS[allp.cat].astype(str), ":"), np.array(vocab.THEMES)[allp.theme]
            ),
            "tone": bank["tone"].to_numpy(),
            "price_tier": bank["price_tier"].to_numpy(),
            "quality": quality,
            "has_cta": allp.has_cta,
            "has_urgency": allp.has_urg,
            "has_question": allp.has_q,
            "n_emoji": allp.n_emoji.astype(np.int64),
            "emoji_bin": emoji_bin(allp.n_emoji),
            "length_chars": n_chars,
            "length_bin": length_bin(n_chars),
            "near_duplicate_of": np.where(is_var, ids[np.maximum(orig_of, 0)], None),
            "edit_kind": np.where(
                is_var, np.array(EDIT_KINDS, dtype=_O)[np.r_[np.zeros(n_ord, np.int64), kind]], None
            ),
        }
    )
    bank = bank.iloc[order].reset_index(drop=True)
    truth = truth.iloc[order].reset_index(drop=True)
    return bank, truth


def off_bank_texts(rng: np.random.Generator, n: int, bank_texts: np.ndarray) -> np.ndarray:
    """Texts of captions that are not in the bank (retired captions): distinct from every bank text."""
    _, texts = draw_unique(rng, n, exclude=pd.Series(lower(bank_texts)))
    return texts
