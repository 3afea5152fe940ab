"""Caption families: k-means on caption embeddings, k chosen by silhouette; near-duplicate groups.

Inputs: `int_caption_embeddings` (vectors of the current provider and model) and
`caption_near_duplicates` (pairs). The vectors are reduced by PCA (cluster_pca_dims, seeded) and
clustered by k-means for every k in cluster_k_min..cluster_k_max (seeded); the PCA and every k-means
are fitted on one seeded sample of cluster_fit_sample captions and applied to all; each k is scored by the
silhouette on a fixed seeded sample of cluster_silhouette_sample captions and the best k wins (ties:
the smaller k). Clusters are numbered by size (1 = largest) and named by their most distinctive
words. Near-duplicate pairs are closed transitively into groups (connected components); a group's
id is its smallest caption_id, so the template can treat a group as one caption.

Update (docs/ml.md, "Caption clusters: new captions assigned to the nearest cluster"): with the same
settings and code as the previous fit and few new or changed captions (the captions not part of the
last full fit, assigned ones and removed ones counted, at most cluster_refit_share of the library),
the old captions keep their clusters and each new or changed caption joins the cluster whose
centroid is nearest; the PCA is refitted on the current library's sample (cheap), the centroids, sizes,
numbers, distances and near-duplicate groups are recomputed; k, the silhouettes and each cluster's
name stay those of the last full fit (fit_mode updated). Otherwise a full fit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Reuse: the inputs (rows of int_ml_input_fingerprints) and the settings (name prefixes) whose
# change means a new fit; a change of this file's code does too (CODE_VERSION: where the code is not
# run from a file, bump it with any change to what the fit computes).
REUSE_INPUTS = ["int_caption_embeddings"]
REUSE_SETTING_PREFIXES = ("cluster_", "near_duplicate_")
CODE_VERSION = "4"

OUTPUT_COLUMNS = [
    "caption_id",
    "cluster_id",
    "cluster_label",
    "cluster_size",
    "distance_to_centroid",
    "cluster_k",
    "cluster_silhouette",
    "silhouette_by_k",
    "near_duplicate_group_id",
    "near_duplicate_group_size",
    "embedding_hash",
    "is_assigned",
    "fit_caption_count",
]
# What the next run needs to update instead of refitting (read from this model's own table).
PREVIOUS_COLUMNS = [
    "caption_id",
    "cluster_id",
    "cluster_label",
    "embedding_hash",
    "is_assigned",
    "fit_caption_count",
    "cluster_k",
    "cluster_silhouette",
    "silhouette_by_k",
]

SETTINGS_COLUMNS = ["setting_name", "setting_value"]


def embedding_matrix(vectors: pd.Series) -> np.ndarray:
    """Stack a column of vectors into float32 (n, d); raises on missing vectors."""
    missing = int(vectors.isna().sum())
    if missing:
        raise ValueError(f"{missing} captions have no embedding for the current provider and model")
    if len(vectors) == 0:
        return np.zeros((0, 0), dtype=np.float32)
    if isinstance(vectors.dtype, pd.ArrowDtype):  # an Arrow list column: one flat buffer, no per-row objects
        import pyarrow.compute as pc

        array = vectors.array.__arrow_array__().combine_chunks()
        lengths = set(pc.list_value_length(array).to_numpy(zero_copy_only=False).tolist())
        if len(lengths) != 1:
            raise ValueError(f"vectors of mixed dimensions {sorted(lengths)}")
        flat = array.flatten().to_numpy(zero_copy_only=False)  # FLOAT[] vectors: Arrow's buffer, no copy
        matrix = flat.astype(np.float32, copy=False).reshape(len(array), lengths.pop())
    else:
        matrix = np.stack([np.asarray(v, dtype=np.float32) for v in vectors])
    return matrix


def in_id_order(captions: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """(the captions in caption_id order without their vectors, their vectors as a float32 matrix in
    that order). The vectors are put in order as one numpy matrix: sorting the frame with its Arrow
    list column of vectors took 2.8 s of 358,560 x 256 floats at x10, the matrix takes a fraction."""
    matrix = embedding_matrix(captions["embedding"])
    rest = captions.drop(columns="embedding").reset_index(drop=True)
    order = rest["caption_id"].sort_values(kind="stable").index.to_numpy()
    return rest.iloc[order].reset_index(drop=True), matrix[order]


def k_candidates(k_min: int, k_max: int, n_samples: int) -> list[int]:
    """The k values to try: k_min..k_max, each at least 2 and below the number of captions."""
    return [k for k in range(max(2, k_min), k_max + 1) if k < n_samples]


def choose_k(scores: dict[int, float]) -> int:
    """The k with the highest silhouette; ties go to the smaller k."""
    if not scores:
        raise ValueError("no k could be scored")
    return min(scores, key=lambda k: (-scores[k], k))


def sample_indices(n: int, size: int, seed: int) -> np.ndarray:
    """A fixed seeded sample (sorted) of min(n, size) row indices."""
    if n <= size:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=size, replace=False))


def fit_sample(n: int, settings: dict[str, str]) -> np.ndarray:
    """The seeded sample of cluster_fit_sample captions (of n) that the PCA and every k-means are
    fitted on, the same in a full fit and in an update."""
    return sample_indices(
        n, int(float(settings["cluster_fit_sample"])), int(float(settings["cluster_seed"])) + 1
    )


def cluster_scores(
    x: np.ndarray, ks: list[int], fit_rows: np.ndarray, sample: np.ndarray, seed: int
) -> tuple[dict, dict]:
    """k-means for each k, fitted on the rows `fit_rows` (a seeded sample keeps it fast) and applied to
    all rows; returns (silhouette on the rows `sample` by k, labels of all rows by k)."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    scores, labels = {}, {}
    for k in ks:
        fitted = KMeans(n_clusters=k, n_init=2, random_state=seed).fit(x[fit_rows])
        labels[k] = fitted.predict(x)
        sampled = labels[k][sample]
        if len(np.unique(sampled)) < 2:
            continue
        scores[k] = float(silhouette_score(x[sample], sampled))
    return scores, labels


def relabel_by_size(labels: np.ndarray) -> np.ndarray:
    """Cluster ids 1..k by decreasing size (ties: smaller original label first)."""
    values, counts = np.unique(labels, return_counts=True)
    order = sorted(range(len(values)), key=lambda i: (-counts[i], values[i]))
    mapping = {values[i]: rank + 1 for rank, i in enumerate(order)}
    return np.array([mapping[v] for v in labels], dtype=np.int64)


def top_terms(texts: pd.Series, labels: np.ndarray, n_terms: int) -> dict[int, list[str]]:
    """Per cluster, the words most over-represented in it (share of its captions containing the word
    minus the share overall), ties by word."""
    from sklearn.feature_extraction.text import CountVectorizer

    vectorizer = CountVectorizer(binary=True, token_pattern=r"(?u)\b[a-z][a-z']+\b", min_df=2)
    try:
        counts = vectorizer.fit_transform(texts.fillna("").tolist())
    except ValueError:  # no words at all
        return {int(c): [] for c in np.unique(labels)}
    words = np.array(vectorizer.get_feature_names_out())
    overall = np.asarray(counts.mean(axis=0)).ravel()
    result = {}
    for cluster in np.unique(labels):
        mask = labels == cluster
        share = np.asarray(counts[mask].mean(axis=0)).ravel()
        lift = share - overall
        order = np.lexsort((words, -lift))
        result[int(cluster)] = [str(words[i]) for i in order[:n_terms] if lift[i] > 0]
    return result


def near_duplicate_groups(ids: np.ndarray, pairs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(group id, group size) per caption: connected components of the near-duplicate pairs; the group
    id is the smallest caption_id of the component (a caption without pairs is its own group)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    ids = np.asarray(ids, dtype=object)
    position = {caption_id: i for i, caption_id in enumerate(ids)}
    known = pairs["caption_id"].isin(position) & pairs["duplicate_caption_id"].isin(position)
    a = pairs.loc[known, "caption_id"].map(position).to_numpy(dtype=np.int64)
    b = pairs.loc[known, "duplicate_caption_id"].map(position).to_numpy(dtype=np.int64)
    graph = coo_matrix((np.ones(len(a)), (a, b)), shape=(len(ids), len(ids)))
    n_components, component = connected_components(graph, directed=False)
    # the smallest id of each component from ranks (numpy orders str by code point, as Python's min):
    # pandas' groupby min of object strings runs row by row in Python (1.7 s of 36k captions)
    order = np.argsort(ids.astype(str), kind="stable")
    rank = np.empty(len(ids), dtype=np.int64)
    rank[order] = np.arange(len(ids))
    smallest = np.full(n_components, len(ids), dtype=np.int64)
    np.minimum.at(smallest, component, rank)
    group_id = ids[order[smallest[component]]]
    group_size = np.bincount(component, minlength=n_components)[component].astype(np.int64)
    return group_id, group_size


def pca_space(matrix: np.ndarray, settings: dict[str, str], fit_rows: np.ndarray | None = None) -> np.ndarray:
    """The captions in the PCA space the clusters live in (cluster_pca_dims, seeded), the PCA fitted
    on the rows `fit_rows` (default: all) and applied to every row."""
    from sklearn.decomposition import PCA

    seed = int(float(settings["cluster_seed"]))
    fit_rows = np.arange(matrix.shape[0]) if fit_rows is None else fit_rows
    dims = int(min(float(settings["cluster_pca_dims"]), matrix.shape[1], len(fit_rows)))
    # float64: in float32 the result depends on the number of BLAS threads (2.7e-5 between 1 and 2
    # threads at seed; the limit is process-wide and other Python models of the same dbt process
    # change it), enough to move distances in their sixth decimal and clusters between two builds
    # of the same captions; in float64 the difference is 1e-13
    pca = PCA(n_components=dims, svd_solver="randomized", random_state=seed)
    pca.fit(matrix[fit_rows].astype(np.float64))
    # applied in chunks: no float64 copy of the whole library (358,560 x 256 at x10 is 0.7 GB)
    out = np.empty((matrix.shape[0], dims), dtype=np.float64)
    for start in range(0, matrix.shape[0], 50_000):
        out[start : start + 50_000] = pca.transform(matrix[start : start + 50_000].astype(np.float64))
    return out


def cluster_output(
    captions: pd.DataFrame,
    x: np.ndarray,
    labels: np.ndarray,
    fit: dict,
    pairs: pd.DataFrame,
    settings: dict[str, str],
    names: dict[int, str] | None = None,
) -> pd.DataFrame:
    """The output rows of captions (in id order) with cluster `labels` (1..k by decreasing size) in the
    PCA space `x`: centroids, sizes, names and distances computed from the labels; `fit` holds
    cluster_k, cluster_silhouette, silhouette_by_k, fit_caption_count and is_assigned (per caption).
    `names` ({cluster: name}): kept names (an update), no words counted."""
    k = int(labels.max())
    centroids = np.vstack([x[labels == c].mean(axis=0) for c in range(1, k + 1)])
    if names is None:
        n_terms = int(float(settings["cluster_top_terms"]))
        terms = top_terms(captions["caption_text_normalized"], labels, n_terms)
        names = {c: " ".join(words) for c, words in terms.items()}
    group_id, group_size = near_duplicate_groups(captions["caption_id"].to_numpy(dtype=object), pairs)
    sizes = pd.Series(labels).map(pd.Series(labels).value_counts()).to_numpy(dtype=np.int64)
    out = pd.DataFrame(
        {
            "caption_id": captions["caption_id"].astype("string"),
            "cluster_id": labels.astype(np.int64),
            "cluster_label": pd.Series([names[c] for c in labels], dtype="string"),
            "cluster_size": sizes,
            "distance_to_centroid": np.round(np.linalg.norm(x - centroids[labels - 1], axis=1), 6),
            "cluster_k": np.int64(fit["cluster_k"]),
            "cluster_silhouette": float(fit["cluster_silhouette"]),
            "silhouette_by_k": str(fit["silhouette_by_k"]),
            "near_duplicate_group_id": pd.Series(group_id, dtype="string"),
            "near_duplicate_group_size": group_size,
            "embedding_hash": captions["embedding_hash"].astype("string"),
            "is_assigned": np.asarray(fit["is_assigned"], dtype=bool),
            "fit_caption_count": np.int64(fit["fit_caption_count"]),
        }
    )
    out["silhouette_by_k"] = out["silhouette_by_k"].astype("string")
    return out[OUTPUT_COLUMNS]


def cluster_captions(captions: pd.DataFrame, pairs: pd.DataFrame, settings: dict[str, str]) -> pd.DataFrame:
    captions, matrix = in_id_order(captions)
    seed = int(float(settings["cluster_seed"]))
    n = len(captions)
    ks = k_candidates(int(float(settings["cluster_k_min"])), int(float(settings["cluster_k_max"])), n)
    if not ks:
        return one_family(captions, matrix, pairs, settings)
    sample = sample_indices(n, int(float(settings["cluster_silhouette_sample"])), seed)
    fit_rows = fit_sample(n, settings)
    x = pca_space(matrix, settings, fit_rows)
    scores, labels_by_k = cluster_scores(x, ks, fit_rows, sample, seed)
    k = choose_k(scores)
    fit = {
        "cluster_k": k,
        "cluster_silhouette": round(scores[k], 6),
        "silhouette_by_k": ",".join(f"{kk}:{scores[kk]:.4f}" for kk in sorted(scores)),
        "fit_caption_count": n,
        "is_assigned": np.zeros(n, dtype=bool),
    }
    return cluster_output(captions, x, relabel_by_size(labels_by_k[k]), fit, pairs, settings)


def one_family(
    captions: pd.DataFrame, matrix: np.ndarray, pairs: pd.DataFrame, settings: dict[str, str]
) -> pd.DataFrame:
    """Too few captions for the smallest k (a library being loaded, one or two captions, none at all):
    every caption in family 1, no silhouette (undefined for one cluster; NaN, silhouette_by_k empty);
    an empty library gives an empty table of the output's columns. Never an error: the ranking and
    the template still build, with one family."""
    n = len(captions)
    if n == 0:
        return pd.DataFrame(
            {
                "caption_id": pd.Series(dtype="string"),
                "cluster_id": pd.Series(dtype=np.int64),
                "cluster_label": pd.Series(dtype="string"),
                "cluster_size": pd.Series(dtype=np.int64),
                "distance_to_centroid": pd.Series(dtype=np.float64),
                "cluster_k": pd.Series(dtype=np.int64),
                "cluster_silhouette": pd.Series(dtype=np.float64),
                "silhouette_by_k": pd.Series(dtype="string"),
                "near_duplicate_group_id": pd.Series(dtype="string"),
                "near_duplicate_group_size": pd.Series(dtype=np.int64),
                "embedding_hash": pd.Series(dtype="string"),
                "is_assigned": pd.Series(dtype=bool),
                "fit_caption_count": pd.Series(dtype=np.int64),
            }
        )[OUTPUT_COLUMNS]
    fit = {
        "cluster_k": 1,
        "cluster_silhouette": float("nan"),
        "silhouette_by_k": "",
        "fit_caption_count": n,
        "is_assigned": np.zeros(n, dtype=bool),
    }
    x = np.asarray(matrix, dtype=np.float64)
    return cluster_output(captions, x, np.ones(n, dtype=np.int64), fit, pairs, settings)


def was_assigned_mask(before: pd.DataFrame, ids: pd.Series) -> np.ndarray:
    """Per id: true when the previous rows (`before`, indexed by caption_id) do not hold it or hold it
    as assigned by an update, false when the last full fit clustered it."""
    assigned = set(before.index[before["is_assigned"].astype(bool).to_numpy()])
    return (~ids.isin(before.index) | ids.isin(assigned)).to_numpy(dtype=bool)


def refit_share(previous: pd.DataFrame, captions: pd.DataFrame) -> tuple[float, np.ndarray]:
    """(share of the library that is not as the last full fit saw it, mask over `captions` of the
    captions that are new or changed since the previous run). The share counts the captions not
    fitted with the last full fit (new, changed, or assigned by an earlier update) and the fitted
    ones since removed or changed, over the captions now: updates one after another cannot drift
    further from a fit than one update could."""
    before = previous.set_index(previous["caption_id"].astype(str))
    ids = captions["caption_id"].astype(str)
    hashes = captions["embedding_hash"].astype(str).to_numpy(dtype=object)
    known_hash = before["embedding_hash"].astype(str).reindex(ids).to_numpy(dtype=object)
    kept = known_hash == hashes  # NaN (unknown caption) never equals a hash
    was_assigned = was_assigned_mask(before, ids)
    fitted_now = int((kept & ~was_assigned).sum())
    fit_count = int(previous["fit_caption_count"].iloc[0])
    drift = (len(captions) - fitted_now) + (fit_count - fitted_now)
    return drift / max(len(captions), 1), ~kept


def assign_captions(
    previous: pd.DataFrame, captions: pd.DataFrame, pairs: pd.DataFrame, settings: dict[str, str]
) -> tuple[pd.DataFrame, int] | None:
    """The clusters of `captions` from the previous run's rows (same settings and code): the captions
    whose vector is unchanged keep their cluster, each new or changed one joins the cluster with the
    nearest centroid (of the kept captions, in the PCA space refitted on every caption); sizes, numbers
    (1 = largest), distances and near-duplicate groups recomputed; k, silhouettes and each cluster's
    name those of the last full fit. None (refit) when the share of captions not as the last full fit saw them is
    above cluster_refit_share, or when a cluster kept no caption. Returns (rows, captions assigned)."""
    captions, matrix = in_id_order(captions)
    share, changed = refit_share(previous, captions)
    if share > float(settings["cluster_refit_share"]):
        return None
    before = previous.set_index(previous["caption_id"].astype(str))
    k = int(previous["cluster_k"].iloc[0])
    old = before["cluster_id"].reindex(captions["caption_id"].astype(str)).to_numpy()
    if set(old[~changed].astype(np.int64).tolist()) != set(range(1, k + 1)):
        return None  # a cluster lost every caption: refit
    x = pca_space(matrix, settings, fit_sample(len(captions), settings))
    labels = np.zeros(len(captions), dtype=np.int64)
    labels[~changed] = old[~changed].astype(np.int64)
    if changed.any():
        centroids = np.vstack([x[labels == c].mean(axis=0) for c in range(1, k + 1)])
        points = x[changed]  # squared distances as |p|^2 - 2 p.c + |c|^2: no (points x k x dims) array
        distances = (
            (points**2).sum(axis=1)[:, None] - 2 * points @ centroids.T + (centroids**2).sum(axis=1)[None, :]
        )
        labels[changed] = distances.argmin(axis=1) + 1
    was_assigned = was_assigned_mask(before, captions["caption_id"].astype(str))
    # each cluster keeps its name (that of the last full fit, carried by its kept captions): the words
    # of every caption recounted for a few new ones took most of an update's CPU at x10 and renamed
    # no cluster (docs/build_performance.md, section 20)
    numbered = relabel_by_size(labels)
    clusters, first_row = np.unique(numbered, return_index=True)
    old_names = before.groupby(before["cluster_id"].astype(np.int64))["cluster_label"].first()
    names = {int(c): str(old_names[int(labels[i])]) for c, i in zip(clusters, first_row, strict=True)}
    fit = {
        "cluster_k": k,
        "cluster_silhouette": previous["cluster_silhouette"].iloc[0],
        "silhouette_by_k": previous["silhouette_by_k"].iloc[0],
        "fit_caption_count": int(previous["fit_caption_count"].iloc[0]),
        "is_assigned": np.where(changed, True, was_assigned),
    }
    return cluster_output(captions, x, numbered, fit, pairs, settings, names), int(changed.sum())


# >>> shared block reuse: keep every copy the same text (sendwise rules-check)
# --- Reuse (docs/ml.md, "Reuse"): the same inputs, settings and code -> the previous output. ------
# int_ml_input_fingerprints hashes each input relation's content in the warehouse; the model's
# fingerprint adds the settings it reads (REUSE_SETTING_PREFIXES), this file's code (model_code) and
# the library versions. Var ml_retrain=true forces a new fit.


def model_code() -> str:
    """The model file's own code (dbt runs it from a file; what dbt appends after the user code is
    left out, so a config value such as ml_retrain does not count); CODE_VERSION where the code
    is not run from a file."""
    try:
        with open(__file__) as fh:
            return fh.read().split("\n# This part is user provided " + "model code")[0]
    except (NameError, OSError):
        return CODE_VERSION


def input_fingerprint(fingerprints: pd.DataFrame, settings: dict[str, str]) -> str:
    """sha256 (32 hex) of this model's input fingerprints, its settings, code and library versions."""
    import hashlib
    import json

    try:
        import sklearn

        sklearn_version = sklearn.__version__
    except ImportError:  # a model that does not use scikit-learn
        sklearn_version = None
    rows = fingerprints[fingerprints["input_name"].isin(REUSE_INPUTS)]
    missing = sorted(set(REUSE_INPUTS) - set(rows["input_name"]))
    if missing:
        raise ValueError(f"no input fingerprint for {missing}")
    payload = {
        "inputs": sorted(
            [str(r.input_name), int(r.row_count), int(r.hash_xor), int(r.hash_sum)] for r in rows.itertuples()
        ),
        "settings": {k: settings[k] for k in sorted(settings) if k.startswith(REUSE_SETTING_PREFIXES)},
        "code": hashlib.sha256(model_code().encode()).hexdigest(),
        "libraries": [np.__version__, pd.__version__, sklearn_version],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:32]


def with_fit_columns(result: pd.DataFrame, fingerprint: str) -> pd.DataFrame:
    """The output of a new fit: every row carries the fingerprint and fit_mode 'trained'."""
    result = result.copy()
    result["input_fingerprint"] = pd.Series([fingerprint] * len(result), index=result.index, dtype="string")
    result["fit_mode"] = pd.Series(["trained"] * len(result), index=result.index, dtype="string")
    return result


def previous_output(dbt, session, fingerprint: str):
    """The model's current table when it was made from this fingerprint, with fit_mode 'reused'
    (Arrow on DuckDB, so the column types stay as they are; BigQuery DataFrames on BigQuery);
    None when it was not, when it is empty or absent, or when var ml_retrain is true."""
    if str(dbt.config.get("ml_retrain")).lower() in ("true", "1"):
        return None
    query = f"select * from {dbt.this} where input_fingerprint = '{fingerprint}'"
    if dbt.config.get("target_type") == "bigquery":
        try:
            previous = session.read_gbq(query)
        except Exception:  # no table yet, or one from before input_fingerprint existed
            return None
        if previous.shape[0] == 0:
            return None
        previous["fit_mode"] = "reused"
        return previous
    import pyarrow as pa

    has_column = session.execute(
        "select count(*) from information_schema.columns"
        " where table_schema = ? and table_name = ? and column_name = 'input_fingerprint'",
        [dbt.this.schema, dbt.this.identifier],
    ).fetchone()[0]
    if not has_column:
        return None
    table = session.sql(query).arrow()
    table = table.read_all() if hasattr(table, "read_all") else table
    if table.num_rows == 0:
        return None
    column = table.schema.get_field_index("fit_mode")
    return table.set_column(column, "fit_mode", pa.array(["reused"] * table.num_rows, pa.string()))


# <<< shared block reuse


# >>> shared block adapter: keep every copy the same text (sendwise rules-check)
# --- Adapter (docs/ml.md, "Both adapters"): a dbt relation to pandas, the result back to the engine.
# The same text in every Python model that reads a relation (sendwise rules-check keeps the copies
# equal to the canonical one; dbt Python models cannot import project code on BigQuery).


def to_pandas(
    frame, columns: list[str] | None = None, equals: dict[str, str] | None = None, arrow: bool = False
) -> pd.DataFrame:
    """A DuckDB relation, BigQuery DataFrames, Spark DataFrame or pandas frame as pandas. Only the
    rows whose columns equal `equals` and only `columns` (in that order) leave the warehouse: they
    are selected on the engine before the download (BigQuery DataFrames refuses downloads over
    500 MB by default). arrow=True reads a DuckDB relation through Arrow with pd.ArrowDtype columns,
    so a vector column stays an Arrow list column instead of one numpy object per row (the other
    engines ignore it)."""
    equals = equals or {}
    module = type(frame).__module__
    if isinstance(frame, pd.DataFrame) or module.startswith("bigframes"):
        for name, value in equals.items():
            frame = frame[frame[name] == value]
        frame = frame if columns is None else frame[columns]
        return frame if isinstance(frame, pd.DataFrame) else frame.to_pandas()
    if module.startswith("pyspark"):
        for name, value in equals.items():
            frame = frame.filter(frame[name] == value)
        return (frame if columns is None else frame.select(*columns)).toPandas()
    if not hasattr(frame, "project"):
        raise TypeError(f"cannot convert {type(frame).__name__} to pandas")
    for name, value in equals.items():  # a DuckDB relation
        text = str(value).replace("'", "''")
        frame = frame.filter(f"\"{name}\" = '{text}'")
    if columns is not None:
        frame = frame.project(", ".join(f'"{c}"' for c in columns))
    if not arrow:
        return frame.df()
    table = frame.arrow()
    table = table.read_all() if hasattr(table, "read_all") else table  # a RecordBatchReader (DuckDB 1.4)
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def settings_dict(settings: pd.DataFrame) -> dict[str, str]:
    """settings_modeling as {setting_name: setting_value}. The seed declares setting_value a
    not-null string (seeds/_seeds.yml), so the values are text on every engine and .astype(str)
    changes none of them; it keeps them plain Python str whatever dtype the download gives."""
    return dict(zip(settings["setting_name"], settings["setting_value"].astype(str), strict=True))


def to_engine(frame, target_type: str):
    """The model's result as the engine's DataFrame: on BigQuery a pandas frame becomes BigQuery
    DataFrames (bigframes, bpd.read_pandas) and one that already is (a reused output) stays as it
    is; elsewhere the frame itself: pandas, or the Arrow table of a reused output on DuckDB (its
    column types kept)."""
    if target_type == "bigquery" and isinstance(frame, pd.DataFrame):
        import bigframes.pandas as bpd

        return bpd.read_pandas(frame)
    return frame


# <<< shared block adapter


# >>> shared block update: keep every copy the same text (sendwise rules-check)
# --- Update (docs/ml.md, "Reuse"): when only the input's content changed (the same settings, code and
# libraries), a model may update its previous output instead of fitting anew.


def update_fingerprint(settings: dict[str, str]) -> str:
    """The fingerprint of what, besides the input's content, decides the output: the settings, code and
    library versions (input_fingerprint with a fixed stand-in for the inputs' content)."""
    stand_in = pd.DataFrame({"input_name": REUSE_INPUTS, "row_count": 0, "hash_xor": 0, "hash_sum": 0})
    return input_fingerprint(stand_in, settings)


def read_relation(dbt, session, query: str):
    """A query's result as pandas on DuckDB or BigQuery (through to_pandas); None when it fails (a
    table not there yet)."""
    try:
        if dbt.config.get("target_type") == "bigquery":
            return to_pandas(session.read_gbq(query))
        return to_pandas(session.sql(query))
    except Exception:  # no such table, or one from before these columns existed
        return None


# <<< shared block update


def previous_fit(dbt, session, fingerprint: str) -> pd.DataFrame | None:
    """The previous run's rows (PREVIOUS_COLUMNS) when it was made with these settings and code
    (update_fingerprint); None otherwise, or when var ml_retrain is true."""
    if str(dbt.config.get("ml_retrain")).lower() in ("true", "1"):
        return None
    rows = read_relation(
        dbt,
        session,
        f"select {', '.join(PREVIOUS_COLUMNS)} from {dbt.this} where update_fingerprint = '{fingerprint}'",
    )
    if rows is None or len(rows) == 0:
        return None
    return rows


def model(dbt, session):
    dbt.config(
        materialized="table",
        packages=[
            "numpy==2.4.6",
            "pandas==2.3.3",
            "scipy==1.17.1",
            "scikit-learn==1.9.1",
            "threadpoolctl==3.8.0",
        ],
    )
    import sklearn.cluster  # noqa: F401 - load OpenMP first: threadpoolctl limits only loaded libraries
    from threadpoolctl import threadpool_limits

    settings = settings_dict(to_pandas(dbt.ref("settings_modeling"), SETTINGS_COLUMNS))
    fingerprint = input_fingerprint(to_pandas(dbt.ref("int_ml_input_fingerprints")), settings)
    previous = previous_output(dbt, session, fingerprint)
    if previous is not None:
        print(f"ml_caption_clusters: reused, inputs and settings unchanged (input fingerprint {fingerprint})")
        return to_engine(previous, dbt.config.get("target_type"))

    captions = to_pandas(
        dbt.ref("int_caption_embeddings"),
        ["caption_id", "caption_text_normalized", "embedding_hash", "embedding"],
        arrow=True,
    )
    pairs = to_pandas(dbt.ref("caption_near_duplicates"), ["caption_id", "duplicate_caption_id"], arrow=True)
    method = update_fingerprint(settings)
    previous_rows = previous_fit(dbt, session, method)
    with threadpool_limits(limits=int(float(settings["ml_max_threads"]))):
        updated = None if previous_rows is None else assign_captions(previous_rows, captions, pairs, settings)
        if updated is None:
            result, mode = cluster_captions(captions, pairs, settings), "trained"
        else:
            (result, assigned), mode = updated, "updated"
            print(
                f"ml_caption_clusters: updated, {assigned:,} new or changed captions of {len(captions):,}"
                f" assigned to the nearest cluster (input fingerprint {fingerprint})"
            )

    result = with_fit_columns(result, fingerprint)
    result["fit_mode"] = pd.Series([mode] * len(result), index=result.index, dtype="string")
    result["update_fingerprint"] = pd.Series([method] * len(result), index=result.index, dtype="string")
    return to_engine(result, dbt.config.get("target_type"))
