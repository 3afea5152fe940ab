"""caption_near_duplicates' update: only the new or changed captions searched, the previous pairs of the
others kept; the result must equal a full recompute (same pairs, same cosines, same types)."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest
from model_loader import load_python_model

nd = load_python_model("python_models/scheduling/caption_near_duplicates.py")


def captions_frame(rows: dict[str, tuple[str, list[float]]]) -> pd.DataFrame:
    """{caption_id: (content_category, vector)} as int_caption_embeddings' columns; embedding_hash
    stands in for the warehouse's cache key of the vector."""
    ids = list(rows)
    vectors = [list(map(float, rows[i][1])) for i in ids]
    return pd.DataFrame(
        {
            "caption_id": ids,
            "content_category": [rows[i][0] for i in ids],
            "embedding_hash": [hashlib.md5(repr(v).encode()).hexdigest() for v in vectors],
            "embedding": vectors,
        }
    )


def state_of(captions: pd.DataFrame) -> pd.DataFrame:
    return captions[["caption_id", "content_category", "embedding_hash"]].copy()


def test_new_changed_moved_and_removed_captions_give_the_full_recompute():
    before = captions_frame(
        {
            "a": ("x", [1, 0]),
            "b": ("x", [1, 0.1]),
            "c": ("x", [0, 1]),
            "d": ("y", [1, 0]),
            "e": ("y", [1, 0.05]),
        }
    )
    previous = nd.find_near_duplicates(before, 0.9)
    # a~b (cos 1/sqrt(1.01)), d~e (cos 1/sqrt(1.0025)); c is orthogonal to both
    assert previous[["caption_id", "duplicate_caption_id"]].values.tolist() == [["a", "b"], ["d", "e"]]
    now = captions_frame(
        {  # a removed; b and e unchanged; c's vector changed; d moved to block x; f and g new
            "b": ("x", [1, 0.1]),
            "c": ("x", [1, 0.2]),
            "d": ("x", [1, 0]),
            "e": ("y", [1, 0.05]),
            "f": ("x", [0, 1]),
            "g": ("y", [1, 0]),
        }
    )
    updated, changed = nd.update_near_duplicates(previous, state_of(before), now, 0.9)
    assert changed == 4  # c, d, f, g
    assert updated[["caption_id", "duplicate_caption_id", "content_category"]].values.tolist() == [
        ["b", "c", "x"],
        ["b", "d", "x"],
        ["c", "d", "x"],
        ["e", "g", "y"],
    ]
    expected = [1.02 / np.sqrt(1.01 * 1.04), 1 / np.sqrt(1.01), 1 / np.sqrt(1.04), 1 / np.sqrt(1.0025)]
    assert updated["cosine"].tolist() == pytest.approx(expected, abs=1e-6)
    assert updated["pair_key"].tolist() == ["b|c", "b|d", "c|d", "e|g"]
    pd.testing.assert_frame_equal(updated, nd.find_near_duplicates(now, 0.9))


def planted_library(rng, n: int) -> dict[str, tuple[str, list[float]]]:
    """n captions in 3 blocks, a third of them a noisy copy of an earlier one (near-duplicates)."""
    rows: dict[str, tuple[str, list[float]]] = {}
    for i in range(n):
        if i > 10 and i % 3 == 0:
            source = f"c{rng.integers(0, i):04d}"
            category, vector = rows[source]
            rows[f"c{i:04d}"] = (category, list(np.asarray(vector) + rng.normal(scale=0.05, size=16)))
        else:
            rows[f"c{i:04d}"] = (str(rng.choice(["x", "y", "z"])), list(rng.normal(size=16)))
    return rows


def test_an_update_equals_the_full_recompute_on_a_library_with_planted_duplicates():
    rng = np.random.default_rng(7)
    rows = planted_library(rng, 400)
    before = captions_frame(rows)
    previous = nd.find_near_duplicates(before, 0.95)
    ids = sorted(rows)
    removed = [i for i in ids if i in set(previous["caption_id"])][:5]  # captions that had pairs
    for i in removed:
        del rows[i]
    for i in ids[100:105]:  # changed vectors: a reworded caption
        category, vector = rows[i]
        rows[i] = (category, list(np.asarray(vector) + rng.normal(scale=0.3, size=16)))
    for i in ids[200:203]:  # changed category
        rows[i] = ("x" if rows[i][0] != "x" else "y", rows[i][1])
    for k in range(12):  # new captions, half of them a copy of an existing one
        source = ids[300 + k]
        vector = np.asarray(rows[source][1]) + (
            rng.normal(scale=0.05, size=16) if k % 2 else rng.normal(size=16)
        )
        rows[f"n{k:04d}"] = (rows[source][0], list(vector))
    now = captions_frame(rows)

    updated, changed = nd.update_near_duplicates(previous, state_of(before), now, 0.95)
    full = nd.find_near_duplicates(now, 0.95)
    assert changed == 5 + 3 + 12
    pd.testing.assert_frame_equal(updated, full)
    # the change mattered: pairs of the removed captions gone, pairs of the new ones found
    assert not set(full["caption_id"]) & set(removed) and not set(full["duplicate_caption_id"]) & set(removed)
    assert full["duplicate_caption_id"].str.startswith("n").sum() >= 6
    assert set(previous["pair_key"]) - set(full["pair_key"]) and set(full["pair_key"]) - set(
        previous["pair_key"]
    )


def test_an_update_without_changes_keeps_every_pair():
    before = captions_frame(planted_library(np.random.default_rng(3), 120))
    previous = nd.find_near_duplicates(before, 0.95)
    assert len(previous) > 10
    updated, changed = nd.update_near_duplicates(previous, state_of(before), before, 0.95)
    assert changed == 0
    pd.testing.assert_frame_equal(updated, previous)


def test_caption_set_hash_ignores_row_order_and_sees_any_change():
    captions = captions_frame({"a": ("x", [1, 0]), "b": (None, [0, 1])})
    same = nd.caption_set_hash(captions)
    assert nd.caption_set_hash(captions.iloc[::-1]) == same
    assert nd.caption_set_hash(state_of(captions)) == same  # the state table hashes the same
    moved = captions.assign(content_category=["x", "x"])
    assert nd.caption_set_hash(moved) != same
    assert nd.caption_set_hash(captions.iloc[:1]) != same
    assert nd.caption_set_hash(captions.assign(embedding_hash=["h1", captions["embedding_hash"][1]])) != same


def test_changed_captions_names_the_new_changed_and_moved_ones_and_the_stale_ids():
    before = pd.DataFrame(
        {
            "caption_id": ["keep", "rehash", "move", "gone", "nocat"],
            "content_category": ["a", "a", "a", "b", None],
            "embedding_hash": ["h1", "h2", "h3", "h4", "h5"],
        }
    )
    now = pd.DataFrame(
        {
            "caption_id": ["new", "nocat", "move", "rehash", "keep"],  # another order than before
            "content_category": ["a", None, "b", "a", "a"],
            "embedding_hash": ["h6", "h5", "h3", "h2x", "h1"],
        }
    )
    mask, stale = nd.changed_captions(before, now)
    # per row of `now`: new, unchanged (a null category is block 'unknown' both times), moved, rehashed, unchanged
    assert mask.tolist() == [True, False, True, True, False]
    assert stale == {"rehash", "move", "gone"}
