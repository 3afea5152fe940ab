"""Caption families: k-means on caption embeddings, k chosen by silhouette; near-duplicate groups.

Inputs: `int_caption_embeddings` (vectors of the current provider and model) and
`caption_near_duplicates` (pairs). The vectors are reduced by PCA (cluster_pca_dims, seeded) and
clustered by k-means for every k in cluster_k_min..cluster_k_max (seeded, fitted on a seeded sample of
cluster_fit_sample captions and applied to all); each k is scored by the
silhouette on a fixed seeded sample of cluster_silhouette_sample captions and the best k wins (ties:
the smaller k). Clusters are numbered by size (1 = largest) and named by their most distinctive
words. Near-duplicate pairs are closed transitively into groups (connected components); a group's
id is its smallest caption_id, so the template can treat a group as one caption.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Reuse: the inputs (rows of int_ml_input_fingerprints) and the settings (name prefixes) whose
# change means a new fit; a change of this file's code does too (CODE_VERSION: where the code is not
# run from a file, bump it with any change to what the fit computes).
REUSE_INPUTS = ["int_caption_embeddings"]
REUSE_SETTING_PREFIXES = ("cluster_", "near_duplicate_")
CODE_VERSION = "1"

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
        flat = array.flatten().to_numpy(zero_copy_only=False)
        matrix = flat.astype(np.float32).reshape(len(array), lengths.pop())
    else:
        matrix = np.stack([np.asarray(v, dtype=np.float32) for v in vectors])
    return matrix


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


def cluster_captions(captions: pd.DataFrame, pairs: pd.DataFrame, settings: dict[str, str]) -> pd.DataFrame:
    from sklearn.decomposition import PCA

    captions = captions.sort_values("caption_id", kind="stable").reset_index(drop=True)
    seed = int(float(settings["cluster_seed"]))
    matrix = embedding_matrix(captions["embedding"])
    n = len(captions)
    ks = k_candidates(int(float(settings["cluster_k_min"])), int(float(settings["cluster_k_max"])), n)
    if not ks:
        raise ValueError(f"too few captions ({n}) to cluster")
    dims = int(min(float(settings["cluster_pca_dims"]), matrix.shape[1], n))
    x = PCA(n_components=dims, svd_solver="randomized", random_state=seed).fit_transform(matrix)
    sample = sample_indices(n, int(float(settings["cluster_silhouette_sample"])), seed)
    fit_rows = sample_indices(n, int(float(settings["cluster_fit_sample"])), seed + 1)
    scores, labels_by_k = cluster_scores(x, ks, fit_rows, sample, seed)
    k = choose_k(scores)
    labels = relabel_by_size(labels_by_k[k])
    centroids = np.vstack([x[labels == c].mean(axis=0) for c in range(1, k + 1)])
    terms = top_terms(captions["caption_text_normalized"], labels, int(float(settings["cluster_top_terms"])))
    group_id, group_size = near_duplicate_groups(captions["caption_id"].to_numpy(dtype=object), pairs)
    sizes = pd.Series(labels).map(pd.Series(labels).value_counts()).to_numpy(dtype=np.int64)
    out = pd.DataFrame(
        {
            "caption_id": captions["caption_id"].astype("string"),
            "cluster_id": labels,
            "cluster_label": pd.Series([" ".join(terms[c]) for c in labels], dtype="string"),
            "cluster_size": sizes,
            "distance_to_centroid": np.round(np.linalg.norm(x - centroids[labels - 1], axis=1), 6),
            "cluster_k": np.int64(k),
            "cluster_silhouette": round(scores[k], 6),
            "silhouette_by_k": ",".join(f"{kk}:{scores[kk]:.4f}" for kk in sorted(scores)),
            "near_duplicate_group_id": pd.Series(group_id, dtype="string"),
            "near_duplicate_group_size": group_size,
        }
    )
    out["silhouette_by_k"] = out["silhouette_by_k"].astype("string")
    return out[OUTPUT_COLUMNS]


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
        dbt.ref("int_caption_embeddings"), ["caption_id", "caption_text_normalized", "embedding"], arrow=True
    )
    pairs = to_pandas(dbt.ref("caption_near_duplicates"), ["caption_id", "duplicate_caption_id"], arrow=True)
    with threadpool_limits(limits=int(float(settings["ml_max_threads"]))):
        result = cluster_captions(captions, pairs, settings)

    result = with_fit_columns(result, fingerprint)
    return to_engine(result, dbt.config.get("target_type"))
