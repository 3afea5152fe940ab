"""ml_caption_clusters' update: with few new or changed captions they join the nearest existing cluster
and the old captions keep theirs; beyond cluster_refit_share (counting earlier updates and removed
captions) the model refits."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
from model_loader import load_python_model

cl = load_python_model("python_models/scheduling/ml_caption_clusters.py")

SETTINGS = {
    "cluster_seed": "1",
    "cluster_k_min": "2",
    "cluster_k_max": "4",
    "cluster_fit_sample": "1000",
    "cluster_silhouette_sample": "1000",
    "cluster_pca_dims": "4",
    "cluster_top_terms": "1",
    "cluster_refit_share": "0.05",
}
CENTERS = {"red": 0, "blue": 1, "green": 2}  # blob -> the axis its center sits on (at 10)


def caption(rng, caption_id: str, blob: str) -> dict:
    vector = rng.normal(scale=0.3, size=8)
    vector[CENTERS[blob]] += 10
    values = [float(v) for v in vector]
    return {
        "caption_id": caption_id,
        "caption_text_normalized": f"{blob} hot drop",
        "embedding_hash": hashlib.md5(repr(values).encode()).hexdigest(),
        "embedding": values,
    }


def library(rng, sizes: dict[str, int]) -> list[dict]:
    return [caption(rng, f"{blob}{i:03d}", blob) for blob, n in sizes.items() for i in range(n)]


NO_PAIRS = pd.DataFrame(
    {"caption_id": pd.Series(dtype=object), "duplicate_caption_id": pd.Series(dtype=object)}
)


def frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows)


def previous_of(rows: pd.DataFrame) -> pd.DataFrame:
    return rows[cl.PREVIOUS_COLUMNS]


def test_new_and_changed_captions_join_the_nearest_cluster_and_old_ones_keep_theirs():
    rng = np.random.default_rng(0)
    rows = library(rng, {"red": 60, "blue": 40, "green": 20})
    first = cl.cluster_captions(frame(rows), NO_PAIRS, SETTINGS)
    # three clear blobs: k = 3, numbered by size; each named by its own word
    assert first["cluster_k"].iloc[0] == 3
    by_blob = first.groupby(first["caption_id"].str[:-3])["cluster_id"].unique().to_dict()
    assert {b: list(v) for b, v in by_blob.items()} == {"red": [1], "blue": [2], "green": [3]}
    assert not first["is_assigned"].any() and (first["fit_caption_count"] == 120).all()

    moved = caption(rng, "red000", "green")  # a reworded caption, now like the green ones
    new = [caption(rng, "new1", "green"), caption(rng, "new2", "green"), caption(rng, "new3", "blue")]
    now = [moved, *rows[1:], *new]
    result, assigned = cl.assign_captions(previous_of(first), frame(now), NO_PAIRS, SETTINGS)
    assert assigned == 4  # red000 and the three new captions: (123 - 119 + 120 - 119) / 123 <= 0.05
    clusters = dict(zip(result["caption_id"], result["cluster_id"], strict=True))
    assert [clusters[i] for i in ["red000", "new1", "new2", "new3"]] == [3, 3, 3, 2]
    old = first.set_index("caption_id")["cluster_id"]
    unchanged = [r["caption_id"] for r in rows[1:]]
    assert all(clusters[i] == old[i] for i in unchanged)
    sizes = result.groupby("cluster_id")["cluster_size"].first().to_dict()
    assert sizes == {1: 59, 2: 41, 3: 23}
    assert result.loc[result["caption_id"].isin(["red000", "new1", "new2", "new3"]), "is_assigned"].all()
    assert result["is_assigned"].sum() == 4 and (result["fit_caption_count"] == 120).all()
    assert (
        result["cluster_k"].iloc[0] == 3
        and result["silhouette_by_k"].iloc[0] == first["silhouette_by_k"].iloc[0]
    )
    assert set(result.loc[result["cluster_id"] == 3, "cluster_label"]) == {"green"}
    # on blobs this clear, a refit finds the same clusters
    refit = cl.cluster_captions(frame(now), NO_PAIRS, SETTINGS)
    assert refit["cluster_id"].tolist() == result["cluster_id"].tolist()


def test_too_many_changes_refit_counting_earlier_updates_and_removed_captions():
    rng = np.random.default_rng(1)
    rows = library(rng, {"red": 60, "blue": 40, "green": 20})
    first = cl.cluster_captions(frame(rows), NO_PAIRS, SETTINGS)
    six = [caption(rng, f"new{i}", "blue") for i in range(6)]  # 6 / 126 = 0.048
    assert cl.assign_captions(previous_of(first), frame(rows + six), NO_PAIRS, SETTINGS) is not None
    seven = [*six, caption(rng, "new6", "blue")]  # 7 / 127 = 0.055
    assert cl.assign_captions(previous_of(first), frame(rows + seven), NO_PAIRS, SETTINGS) is None

    # an update of 3, then 4 more: 4 / 124 alone would pass, but 7 of 127 are not from the fit
    updated, _ = cl.assign_captions(previous_of(first), frame(rows + six[:3]), NO_PAIRS, SETTINGS)
    assert cl.assign_captions(previous_of(updated), frame(rows + seven), NO_PAIRS, SETTINGS) is None
    assert cl.assign_captions(previous_of(first), frame(rows + seven[3:]), NO_PAIRS, SETTINGS) is not None

    # removed captions count too: 7 of the 120 fitted gone is (113 - 113 + 120 - 113) / 113 = 0.062
    assert cl.assign_captions(previous_of(first), frame(rows[7:]), NO_PAIRS, SETTINGS) is None
    assert cl.assign_captions(previous_of(first), frame(rows[5:]), NO_PAIRS, SETTINGS) is not None  # 5 / 115


def test_a_cluster_that_lost_every_caption_means_a_refit():
    rng = np.random.default_rng(2)
    rows = library(rng, {"red": 60, "blue": 40, "green": 3})
    first = cl.cluster_captions(frame(rows), NO_PAIRS, SETTINGS)
    assert first["cluster_k"].iloc[0] == 3
    loose = dict(SETTINGS, cluster_refit_share="0.1")
    assert cl.assign_captions(previous_of(first), frame(rows[:-3]), NO_PAIRS, loose) is None  # green gone
    assert cl.assign_captions(previous_of(first), frame(rows[:-2]), NO_PAIRS, loose) is not None


def test_in_id_order_sorts_the_captions_and_moves_each_vector_with_its_caption():
    # ids out of order, including one that sorts before the others by code point ('B' < 'a')
    frame = pd.DataFrame(
        {
            "caption_id": ["c", "a", "B", "b"],
            "embedding_hash": ["hc", "ha", "hB", "hb"],
            "embedding": [[3.0, 0.5], [1.0, 0.5], [0.0, 0.5], [2.0, 0.5]],
        }
    )
    rows, matrix = cl.in_id_order(frame)
    assert rows["caption_id"].tolist() == ["B", "a", "b", "c"]
    assert rows["embedding_hash"].tolist() == ["hB", "ha", "hb", "hc"]
    assert "embedding" not in rows.columns
    assert matrix.dtype == np.float32
    assert matrix[:, 0].tolist() == [0.0, 1.0, 2.0, 3.0]


def test_a_library_too_small_to_cluster_is_one_family_and_an_empty_one_no_rows():
    """Fewer captions than the smallest k allows (k must be >= 2 and below the caption count): the
    one or two captions form family 1 (no silhouette: NaN, silhouette_by_k empty) instead of the
    build failing; an empty library gives an empty table with the output's columns."""
    rng = np.random.default_rng(0)
    two = cl.cluster_captions(frame(library(rng, {"red": 1, "blue": 1})), NO_PAIRS, SETTINGS)
    assert list(two.columns) == cl.OUTPUT_COLUMNS
    assert two["cluster_id"].tolist() == [1, 1] and two["cluster_size"].tolist() == [2, 2]
    assert two["cluster_k"].tolist() == [1, 1] and two["cluster_silhouette"].isna().all()
    assert two["silhouette_by_k"].tolist() == ["", ""] and two["fit_caption_count"].tolist() == [2, 2]
    # both captions lie at the same distance from their mean (the midpoint), and it is not zero
    assert two["distance_to_centroid"].iloc[0] == two["distance_to_centroid"].iloc[1] > 1
    no_captions = pd.DataFrame(
        columns=["caption_id", "caption_text_normalized", "embedding_hash", "embedding"]
    )
    empty = cl.cluster_captions(no_captions, NO_PAIRS, SETTINGS)
    assert list(empty.columns) == cl.OUTPUT_COLUMNS and len(empty) == 0
    assert str(empty["cluster_id"].dtype) == "int64"


def test_an_update_keeps_each_clusters_name_and_a_refit_recounts_the_words():
    """An update names each cluster as the last full fit did (by its kept captions), even when its new
    captions' words would now outweigh the old ones; the next full fit recounts them."""
    rng = np.random.default_rng(3)
    rows = library(rng, {"red": 60, "blue": 40, "green": 20})
    first = cl.cluster_captions(frame(rows), NO_PAIRS, SETTINGS)
    emerald = [
        caption(rng, f"emerald{i:02d}", "green") | {"caption_text_normalized": "emerald hot drop"}
        for i in range(30)
    ]
    loose = SETTINGS | {"cluster_refit_share": "0.5"}  # 30 new of 150: an update
    result, assigned = cl.assign_captions(previous_of(first), frame([*rows, *emerald]), NO_PAIRS, loose)
    assert assigned == 30
    green = result["caption_id"].str.startswith(("green", "emerald"))
    # one cluster, now the second largest (50 captions; blue 40), still named green
    assert set(result.loc[green, "cluster_id"]) == {2} and set(result.loc[green, "cluster_label"]) == {
        "green"
    }
    # a recount: emerald 30/50 - 30/150 = 0.40 beats green 20/50 - 20/150 = 0.27 in that cluster
    refit = cl.cluster_captions(frame([*rows, *emerald]), NO_PAIRS, loose)
    assert set(refit.loc[green, "cluster_label"]) == {"emerald"}
    # the other clusters' names are theirs in both
    for blob in ("red", "blue"):
        mine = result["caption_id"].str.startswith(blob)
        assert set(result.loc[mine, "cluster_label"]) == set(refit.loc[mine, "cluster_label"]) == {blob}
