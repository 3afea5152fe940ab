"""Pure functions of the fan embeddings (Method A/B scaling) and fan clusters (k selection)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fan_models import clusters, embeddings

SETTINGS = {
    "fan_cluster_seed": "7",
    "fan_cluster_k_min": "2",
    "fan_cluster_k_max": "6",
    "fan_cluster_silhouette_sample": "4000",
    "fan_cluster_top_terms": "3",
    "fan_cluster_n_init": "4",
    "fan_cluster_text_dims": "4",
}


def _profiles(n: int, rng: np.random.Generator) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "fan_model_key": [f"f{i:03d}|p" for i in range(n)],
            "text_messages": rng.integers(0, 50, n),
            "avg_message_chars": rng.normal(40, 10, n),
            "emoji_per_message": rng.random(n),
            "question_rate": rng.random(n),
            "median_response_minutes": np.where(rng.random(n) < 0.2, np.nan, rng.exponential(30, n)),
            "details_found": rng.integers(0, 9, n),
            "age": np.where(rng.random(n) < 0.5, np.nan, rng.integers(18, 70, n)),
            "purchase_motivations": rng.choice(["deals", "custom content, deals", None], n),
            "emotional_needs": rng.choice(["lonely", None], n),
            "personality_traits": rng.choice(["shy", "funny, shy", None], n),
            "hobbies": rng.choice(["golf", None], n),
            "life_events": None,
            "relationship_status": rng.choice(["single", "married", None], n),
            "job": rng.choice(["nurse", None], n),
        }
    )


def test_stage_matrix_places_vectors_by_key_and_stage_not_position():
    stages = pd.DataFrame(
        {
            "fan_model_key": ["b", "a", "a", "b"],
            "stage": [3, 1, 2, 1],
            "embedding": [[0.0, 1.0], [1.0, 0.0], None, [0.5, 0.5]],  # a's stage 2 has no words
        }
    )
    matrix, counts = embeddings.stage_matrix(stages, ["a", "b", "c"])
    np.testing.assert_allclose(
        matrix,
        [
            [1.0, 0.0, 0.0, 0.0, 0.0, 0.0],  # a: stage 1 only
            [0.5, 0.5, 0.0, 0.0, 0.0, 1.0],  # b: stages 1 and 3
            [0.0] * 6,  # c: no words at all
        ],
    )
    assert counts.tolist() == [1, 2, 0]


def test_stage_matrix_rejects_a_vector_of_an_unknown_pair():
    stages = pd.DataFrame({"fan_model_key": ["zz"], "stage": [1], "embedding": [[1.0]]})
    with pytest.raises(ValueError, match="without a profile"):
        embeddings.stage_matrix(stages, ["a"])


def test_text_block_has_total_variance_one():
    rng = np.random.default_rng(1)
    block = embeddings.text_block(rng.normal(size=(50, 12)) * np.arange(1, 13), dims=5, seed=3)
    assert block.shape == (50, 5)
    assert block.var(axis=0).sum() == pytest.approx(1.0)
    np.testing.assert_allclose(block.mean(axis=0), 0, atol=1e-12)
    # the block is scaled as a whole: the leading component keeps the largest variance
    assert block.var(axis=0)[0] > block.var(axis=0)[-1]


def test_profile_block_standardised_constant_columns_dropped_total_variance_one():
    rng = np.random.default_rng(2)
    features = embeddings.profile_features(_profiles(80, rng))
    assert "life_events" not in " ".join(features.columns)  # never set: no indicator column
    assert {"purchase_motivations=deals", "purchase_motivations=custom content", "has_age"} <= set(features)
    assert not features.isna().any().any()  # missing ages / reply times imputed
    block, kept = embeddings.standardised_block(features)
    d = len(kept)
    assert block.shape == (80, d)
    np.testing.assert_allclose(block.var(axis=0), 1.0 / d)  # each column 1/d, total 1
    assert block.var(axis=0).sum() == pytest.approx(1.0)


def test_profile_block_of_no_pair_is_empty_without_a_warning():
    import warnings

    features = pd.DataFrame({"a": pd.Series([], dtype=float), "b": pd.Series([], dtype=float)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # was: numpy's "Degrees of freedom <= 0" and divide warnings
        block, kept = embeddings.standardised_block(features)
    assert block.shape == (0, 0) and kept == []


def test_profile_block_does_not_depend_on_units():
    """A column in minutes or in hours, lengths in characters or in thousands: the same block."""
    rng = np.random.default_rng(3)
    profiles = _profiles(40, rng)
    rescaled = profiles.assign(avg_message_chars=profiles["avg_message_chars"] * 1000.0)
    a, _ = embeddings.standardised_block(embeddings.profile_features(profiles))
    b, _ = embeddings.standardised_block(embeddings.profile_features(rescaled))
    np.testing.assert_allclose(a, b, atol=1e-9)


def test_method_b_blocks_contribute_equally_whatever_their_dimensions():
    """24 text dimensions next to 100 profile columns: each block adds one unit of variance to the
    squared distances, so neither dominates (without the scaling the 100 columns would weigh ~4x)."""
    rng = np.random.default_rng(4)
    text = embeddings.scale_to_unit_variance(rng.normal(size=(300, 24)))
    profile, _ = embeddings.standardised_block(pd.DataFrame(rng.normal(size=(300, 100)) * 50.0))
    vectors = embeddings.method_vectors(text, profile)
    assert vectors["A"].shape == (300, 24) and vectors["B"].shape == (300, 124)
    b = vectors["B"]
    text_share = b[:, :24].var(axis=0).sum() / b.var(axis=0).sum()
    assert text_share == pytest.approx(0.5)
    # mean squared pairwise distance splits evenly between the blocks too
    i, j = rng.integers(0, 300, 2000), rng.integers(0, 300, 2000)
    d_text = ((b[i, :24] - b[j, :24]) ** 2).sum(axis=1).mean()
    d_profile = ((b[i, 24:] - b[j, 24:]) ** 2).sum(axis=1).mean()
    assert d_text / d_profile == pytest.approx(1.0, rel=0.15)


def test_build_embeddings_one_row_per_pair_and_method():
    rng = np.random.default_rng(5)
    profiles = _profiles(30, rng)
    keys = profiles["fan_model_key"].tolist()
    stages = pd.DataFrame(
        {
            "fan_model_key": keys * 2,
            "stage": [1] * 30 + [3] * 30,
            "embedding": [list(v) for v in rng.normal(size=(60, 8))],
        }
    )
    out = embeddings.build_embeddings(stages, profiles, SETTINGS)
    assert len(out) == 60 and set(out["method"]) == {"A", "B"}
    assert out["fan_embedding_id"].is_unique
    a = out[out["method"] == "A"]
    b = out[out["method"] == "B"]
    assert (a["profile_dims"] == 0).all() and (a["embedding_dims"] == 4).all()
    assert (b["embedding_dims"] == b["text_dims"] + b["profile_dims"]).all()
    # the text part of B is Method A's vector
    va = embeddings.vector_matrix(a["embedding"].reset_index(drop=True))
    vb = embeddings.vector_matrix(b["embedding"].reset_index(drop=True))
    np.testing.assert_allclose(vb[:, :4], va)


# ---- k selection ---------------------------------------------------------------------------------


def test_k_candidates_bounds():
    assert clusters.k_candidates(3, 8, 100) == [3, 4, 5, 6, 7, 8]
    assert clusters.k_candidates(1, 4, 100) == [2, 3, 4]  # k >= 2
    assert clusters.k_candidates(3, 8, 5) == [3, 4]  # k < number of pairs


def test_choose_k_highest_silhouette_ties_to_smaller_k():
    assert clusters.choose_k({3: 0.2, 4: 0.5, 5: 0.4}) == 4
    assert clusters.choose_k({3: 0.5, 4: 0.5, 5: 0.1}) == 3
    with pytest.raises(ValueError):
        clusters.choose_k({})


def _planted(seed: int = 6) -> tuple[np.ndarray, list[str]]:
    rng = np.random.default_rng(seed)
    centres = np.array([[0, 0], [10, 0], [0, 10], [10, 10]], dtype=float)
    x = np.vstack([c + rng.normal(scale=0.5, size=(40, 2)) for c in centres])
    return x, ["golf"] * 40 + ["wine"] * 40 + ["cars"] * 40 + ["cats"] * 40


def test_k_selection_finds_the_planted_number_of_clusters():
    x, texts = _planted()
    result = clusters.cluster_method(x, texts, SETTINGS)
    assert result["k"] == 4
    assert sorted(np.bincount(result["labels"])[1:].tolist()) == [40, 40, 40, 40]
    assert [s.split(":")[0] for s in result["silhouette_by_k"].split(",")] == ["2", "3", "4", "5", "6"]
    assert result["silhouette"] > 0.8 and result["davies_bouldin"] < 0.3
    assert {tuple(result["terms"][c]) for c in range(1, 5)} == {("golf",), ("wine",), ("cars",), ("cats",)}
    # deterministic: the same seed gives the same labels
    again = clusters.cluster_method(x, texts, SETTINGS)
    assert (again["labels"] == result["labels"]).all()


def test_relabel_by_size_numbers_the_largest_cluster_1():
    labels = np.array([5, 5, 2, 2, 2, 9])
    assert clusters.relabel_by_size(labels).tolist() == [2, 2, 1, 1, 1, 3]


def test_top_terms_skip_stop_words_and_filler():
    labels = np.array([1, 1, 2, 2])
    terms = clusters.top_terms(
        ["the custom video lol", "a custom video hey", "the deal please", "deal please lol"], labels, 5
    )
    assert terms[1] == ["custom", "video"] and terms[2] == ["deal"]  # 'please' is a stop word


def test_no_pair_gives_an_empty_table_and_two_pairs_one_segment():
    """A build without a chat log has no fan-model pair: fan_clusters is an empty table of its columns
    (the build went on to fail with 'No objects to concatenate'). A log of two pairs is below the
    smallest k (k >= 2 and below the pair count): one segment, silhouette and Davies-Bouldin NaN."""
    no_vectors = pd.DataFrame({"fan_model_key": [], "method": [], "embedding": []})
    no_texts = pd.DataFrame({"fan_model_key": [], "stage": [], "stage_text": []})
    empty = clusters.cluster_all(no_vectors, no_texts, SETTINGS)
    assert list(empty.columns) == clusters.OUTPUT_COLUMNS and len(empty) == 0
    assert str(empty["cluster_id"].dtype) == "int64" and str(empty["plot_x"].dtype) == "float64"
    two = pd.DataFrame(
        {"fan_model_key": ["a|p", "b|p"], "method": ["A", "A"], "embedding": [[0.0, 1.0], [2.0, 1.0]]}
    )
    texts = pd.DataFrame({"fan_model_key": ["a|p", "b|p"], "stage": [1, 1], "stage_text": ["hi", "hello"]})
    out = clusters.cluster_all(two, texts, SETTINGS)
    assert out["cluster_id"].tolist() == [1, 1] and out["cluster_k"].tolist() == [1, 1]
    assert out["distance_to_centroid"].tolist() == [1.0, 1.0]  # each 1 from the mean (1, 1)
    assert out["method_silhouette"].isna().all() and out["method_davies_bouldin"].isna().all()


def test_a_kept_k_scan_clusters_as_the_full_scan_at_its_k_and_keeps_its_silhouettes():
    """A later build of the fit period runs k-means at the kept k only: the same seeded k-means as the
    scan's at that k, so labels, distances, silhouette and Davies-Bouldin equal the full scan's when
    the scan would choose that k again; silhouette_by_k is the kept scan's text."""
    x, texts = _planted()
    full = clusters.cluster_method(x, texts, SETTINGS)
    kept = clusters.cluster_method(x, texts, SETTINGS, kept=(4, "2:0.1000,4:0.9000"))
    assert full["scanned"] and not kept["scanned"]
    assert kept["k"] == 4 and kept["silhouette_by_k"] == "2:0.1000,4:0.9000"
    assert (kept["labels"] == full["labels"]).all()
    np.testing.assert_allclose(kept["distance"], full["distance"])
    assert kept["silhouette"] == full["silhouette"] and kept["davies_bouldin"] == full["davies_bouldin"]
    # a kept k other than the scan's best is used as it is: three clusters of the four blobs
    three = clusters.cluster_method(x, texts, SETTINGS, kept=(3, "3:0.5000"))
    assert three["k"] == 3 and sorted(np.bincount(three["labels"])[1:].tolist()) == [40, 40, 80]


def test_a_kept_k_the_pairs_cannot_hold_scans_every_k_again():
    x = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0], [9.0, 0.0]])
    texts = ["a"] * 5
    result = clusters.cluster_method(x, texts, SETTINGS, kept=(6, "6:0.9000"))  # 6 clusters of 5 pairs
    assert result["scanned"]
    assert [s.split(":")[0] for s in result["silhouette_by_k"].split(",")] == ["2", "3", "4"]


def test_usable_k_scans_keep_one_scan_per_method_made_at_or_before_the_build():
    as_of = pd.Timestamp("2026-11-15 12:00:00")
    previous = pd.DataFrame(
        {
            "method": ["A", "A", "B", "B", "C", "D"],
            "cluster_k": [5, 5, 4, 6, 1, 3],
            "silhouette_by_k": ["5:0.3000", "5:0.3000", "4:0.2000", "6:0.1000", "", "3:0.4000"],
            "k_scanned_as_of": pd.to_datetime(
                ["2026-11-09", "2026-11-09", "2026-11-09", "2026-11-09", "2026-11-09", "2026-11-16"]
            ),
        }
    )
    kept = clusters.usable_k_scans(previous, as_of)
    # B: two scans disagree; C: one segment (no scan); D: scanned after this build (a backfill)
    assert kept == {"A": (5, "5:0.3000", pd.Timestamp("2026-11-09"))}
    aware = previous.assign(k_scanned_as_of=previous["k_scanned_as_of"].dt.tz_localize("UTC"))
    assert clusters.usable_k_scans(aware, as_of.tz_localize("UTC")) == kept  # BigQuery's UTC-aware
    assert clusters.usable_k_scans(None, as_of) == {} and clusters.usable_k_scans(previous[:0], as_of) == {}


def test_cluster_all_stamps_each_method_with_the_as_of_of_its_scan():
    x, texts = _planted()
    keys = [f"f{i:03d}|p" for i in range(len(x))]
    vectors = [list(v) for v in x]
    embeddings = pd.DataFrame(
        {"fan_model_key": keys * 2, "method": ["A"] * len(x) + ["B"] * len(x), "embedding": vectors * 2}
    )
    stage_texts = pd.DataFrame({"fan_model_key": keys, "stage": 1, "stage_text": texts})
    scan = pd.Timestamp("2026-11-09")
    out = clusters.cluster_all(
        embeddings, stage_texts, SETTINGS, {"A": (3, "3:0.5000", scan)}, "2026-11-15 00:00:00"
    )
    by_method = out.groupby("method").agg(
        k=("cluster_k", "first"), scanned=("k_scanned_as_of", "first"), by_k=("silhouette_by_k", "first")
    )
    assert by_method.loc["A"].tolist() == [3, scan, "3:0.5000"]
    assert by_method.loc["B", "k"] == 4 and by_method.loc["B", "scanned"] == pd.Timestamp("2026-11-15")
    assert str(out["k_scanned_as_of"].dtype) == "datetime64[us]"


def test_pair_texts_join_the_non_empty_stage_texts_in_stage_order():
    stage_texts = pd.DataFrame(
        {
            "fan_model_key": ["b|p", "a|p", "a|p", "a|p", "c|p", "d|p"],
            "stage": [1, 3, 1, 2, 1, 1],
            "stage_text": ["hello", "third", "first", "", "", None],
        }
    )
    texts = clusters.pair_texts(stage_texts)
    # a's empty stage 2 leaves no ' |  | '; c and d have no words (no entry: the caller reads "")
    assert texts.to_dict() == {"a|p": "first | third", "b|p": "hello"}
