"""Fan clusters: k-means on the fan-model pair vectors of Method A and Method B, k chosen by silhouette.

Inputs: `fan_embeddings` (one vector per pair and method) and `int_fan_stage_texts` (the fan's words,
for the top terms). For each method, k-means (seeded, fan_cluster_n_init restarts) runs for every k
in fan_cluster_k_min..fan_cluster_k_max; each k is scored by the silhouette (euclidean) on a fixed
seeded sample of fan_cluster_silhouette_sample pairs (all pairs when fewer) and the best k wins (ties:
the smaller k). Clusters are numbered by size (1 = largest; ties by the smaller original label).
Per method the table also carries the chosen k, its silhouette, the Davies-Bouldin index (all
pairs) and the silhouette of every k tried, so `fan_cluster_metrics` can compare the methods; and
PCA coordinates (3 components of the method's vectors, seeded) for the 2D and 3D plots. Top terms:
the words most over-represented in a cluster's stage texts (share of its pairs using the word
minus the share of all pairs).

k on a cadence (docs/fans.md, "Clusters"): the scan of every k runs once per fit period (the settings
ml_fit_cadence_days and ml_fit_cadence_first_dow of the kept fits, docs/ml.md); the period's later
builds run k-means at the k that scan chose, on their own vectors, and keep its silhouette_by_k
(k_scanned_as_of says which build scanned). A scan of other settings or code, a build earlier than
the scan (a backfill), var ml_retrain and a kept k the pairs can no longer hold scan again.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Reuse: the inputs (rows of int_fan_embedding_fingerprints and int_fan_input_fingerprints) and the
# settings (name prefixes) whose change means a new fit, with the fit period added as the setting
# ml_fit_period_start (the k scan is kept for a period); a change of this file's code does too
# (CODE_VERSION: where the code is not run from a file, bump it with any change to what the fit
# computes).
REUSE_INPUTS = ["fan_embeddings", "int_fan_stage_texts"]
REUSE_SETTING_PREFIXES = ("fan_cluster_", "ml_fit_")
CODE_VERSION = "2"

PLOT_DIMS = 3  # x, y, z coordinates for the 2D (x, y) and 3D plots
# words that say nothing about a cluster: scikit-learn's English list plus chat filler
CHAT_FILLER = {
    "what's",
    "i'm",
    "it's",
    "don't",
    "can't",
    "that's",
    "you're",
    "lol",
    "haha",
    "hey",
    "hi",
    "ok",
    "oh",
}
# what is read from fan_embeddings (not its build stamp or fit columns)
EMBEDDING_COLUMNS = ["fan_model_key", "method", "embedding"]
OUTPUT_COLUMNS = [
    "fan_cluster_row_id",
    "fan_model_key",
    "method",
    "cluster_id",
    "cluster_size",
    "cluster_top_terms",
    "distance_to_centroid",
    "plot_x",
    "plot_y",
    "plot_z",
    "cluster_k",
    "method_silhouette",
    "method_davies_bouldin",
    "silhouette_by_k",
    "k_scanned_as_of",
]
# the non-text columns' types when there is no row to infer them from
EMPTY_DTYPES = {
    "cluster_id": np.int64,
    "cluster_size": np.int64,
    "cluster_k": np.int64,
    "k_scanned_as_of": "datetime64[us]",
} | dict.fromkeys(
    ("distance_to_centroid", "plot_x", "plot_y", "plot_z", "method_silhouette", "method_davies_bouldin"),
    np.float64,
)


def vector_matrix(vectors: pd.Series) -> np.ndarray:
    """Stack a column of equal-length vectors (Arrow list column or sequences) into float64 (n, d)."""
    if vectors.isna().any():
        raise ValueError(f"{int(vectors.isna().sum())} pairs have no vector")
    if len(vectors) == 0:
        return np.zeros((0, 0))
    if isinstance(vectors.dtype, pd.ArrowDtype):
        import pyarrow.compute as pc

        array = vectors.array.__arrow_array__().combine_chunks()
        lengths = set(pc.list_value_length(array).to_numpy(zero_copy_only=False).tolist())
        if len(lengths) != 1:
            raise ValueError(f"vectors of mixed dimensions {sorted(lengths)}")
        flat = array.flatten().to_numpy(zero_copy_only=False)
        return flat.astype(np.float64).reshape(len(array), lengths.pop())
    return np.stack([np.asarray(v, dtype=np.float64) for v in vectors])


def k_candidates(k_min: int, k_max: int, n_samples: int) -> list[int]:
    """The k values to try: k_min..k_max, each at least 2 and below the number of pairs."""
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


def score_ks(x: np.ndarray, ks: list[int], sample: np.ndarray, seed: int, n_init: int) -> tuple[dict, dict]:
    """k-means (seeded) for each k on all rows; returns (silhouette on the rows `sample` by k, labels by
    k). A k whose sample holds one cluster only (or all points identical) is not scored."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    scores, labels = {}, {}
    for k in ks:
        labels[k] = KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit_predict(x)
        sampled = labels[k][sample]
        n_labels = len(np.unique(sampled))
        if n_labels < 2 or n_labels >= len(sample):
            continue
        scores[k] = float(silhouette_score(x[sample], sampled))
    return scores, labels


def relabel_by_size(labels: np.ndarray) -> np.ndarray:
    """Cluster ids 1..k by decreasing size (ties: smaller original label first)."""
    values, counts = np.unique(labels, return_counts=True)
    order = sorted(range(len(values)), key=lambda i: (-counts[i], values[i]))
    mapping = {values[i]: rank + 1 for rank, i in enumerate(order)}
    return np.array([mapping[v] for v in labels], dtype=np.int64)


def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS | CHAT_FILLER)


def word_counts(texts: list[str]) -> tuple | None:
    """(binary pair x word matrix, the words) of the texts: words of two letters or more used by two
    pairs or more, English stop words and chat filler (CHAT_FILLER) skipped; None without words."""
    from sklearn.feature_extraction.text import CountVectorizer

    vectorizer = CountVectorizer(
        binary=True, token_pattern=r"(?u)\b[a-z][a-z']+\b", min_df=2, stop_words=sorted(_stop_words())
    )
    try:
        counts = vectorizer.fit_transform([t or "" for t in texts])
    except ValueError:  # no words at all
        return None
    return counts, np.array(vectorizer.get_feature_names_out())


def top_terms(
    texts: list[str], labels: np.ndarray, n_terms: int, counts: tuple | None = None
) -> dict[int, list[str]]:
    """Per cluster, the words most over-represented in it (share of its pairs using the word minus the
    share of all pairs; ties by word); only words with a positive lift (word_counts' words).
    `counts`: word_counts(texts) when already computed (both methods cluster the same pairs)."""
    counted = word_counts(texts) if counts is None else counts
    if counted is None:
        return {int(c): [] for c in np.unique(labels)}
    counts, words = counted
    overall = np.asarray(counts.mean(axis=0)).ravel()
    result = {}
    for cluster in np.unique(labels):
        share = np.asarray(counts[labels == cluster].mean(axis=0)).ravel()
        lift = share - overall
        order = np.lexsort((words, -lift))
        result[int(cluster)] = [str(words[i]) for i in order[:n_terms] if lift[i] > 0]
    return result


def plot_coordinates(x: np.ndarray, seed: int) -> np.ndarray:
    """(n, 3) PCA coordinates (seeded); missing components (fewer dimensions) are zeros."""
    from sklearn.decomposition import PCA

    out = np.zeros((x.shape[0], PLOT_DIMS))
    k = int(min(PLOT_DIMS, x.shape[1], max(x.shape[0] - 1, 0)))
    if k >= 1:
        out[:, :k] = PCA(n_components=k, svd_solver="full", random_state=seed).fit_transform(x)
    return out


def cluster_method(
    x: np.ndarray,
    texts: list[str],
    settings: dict[str, str],
    kept: tuple[int, str] | None = None,
    counts: tuple | None = None,
) -> dict:
    """Cluster one method's vectors; returns labels (1..k by size), k, scores and per-row outputs.
    `kept` (k, silhouette_by_k) is the fit period's scan: k-means runs at that k only and its
    silhouette_by_k is kept ("scanned" False), unless the pairs cannot hold it (k not below their
    number) or its sample holds one cluster: then every k is scanned as without it. `counts`:
    word_counts(texts), when already computed."""
    from sklearn.metrics import davies_bouldin_score

    n = x.shape[0]
    seed = int(float(settings["fan_cluster_seed"]))
    ks = k_candidates(int(float(settings["fan_cluster_k_min"])), int(float(settings["fan_cluster_k_max"])), n)
    if not ks:
        # too few pairs for the smallest k (a log of one or two fan-model pairs): one segment, with no
        # silhouette or Davies-Bouldin index (both undefined for one cluster: NaN)
        labels = np.ones(n, dtype=np.int64)
        return {
            "labels": labels,
            "k": 1,
            "scanned": True,
            "silhouette": float("nan"),
            "davies_bouldin": float("nan"),
            "silhouette_by_k": "",
            "distance": np.linalg.norm(x - x.mean(axis=0), axis=1),
            "coordinates": plot_coordinates(x, seed),
            "terms": top_terms(texts, labels, int(float(settings["fan_cluster_top_terms"])), counts),
        }
    sample = sample_indices(n, int(float(settings["fan_cluster_silhouette_sample"])), seed)
    n_init = int(float(settings["fan_cluster_n_init"]))
    scores, labels_by_k = {}, {}
    if kept is not None and kept[0] in ks:
        scores, labels_by_k = score_ks(x, [kept[0]], sample, seed, n_init)
    scanned = not scores
    if scanned:
        scores, labels_by_k = score_ks(x, ks, sample, seed, n_init)
    k = choose_k(scores)
    labels = relabel_by_size(labels_by_k[k])
    centroids = np.vstack([x[labels == c].mean(axis=0) for c in range(1, k + 1)])
    return {
        "labels": labels,
        "k": k,
        "scanned": scanned,
        "silhouette": scores[k],
        "davies_bouldin": float(davies_bouldin_score(x, labels)),
        "silhouette_by_k": ",".join(f"{kk}:{scores[kk]:.4f}" for kk in sorted(scores))
        if scanned
        else kept[1],
        "distance": np.linalg.norm(x - centroids[labels - 1], axis=1),
        "coordinates": plot_coordinates(x, seed),
        "terms": top_terms(texts, labels, int(float(settings["fan_cluster_top_terms"])), counts),
    }


def pair_texts(stage_texts: pd.DataFrame) -> pd.Series:
    """Every non-empty stage text of a pair joined with ' | ' (stage order), indexed by fan_model_key;
    a pair without words has no entry. The empty texts are dropped before the join: a Python function
    per pair took 3.2 s for 25,163 pairs (x10)."""
    texts = stage_texts[["fan_model_key", "stage", "stage_text"]]
    texts = texts.assign(stage_text=texts["stage_text"].astype("string").fillna(""))
    ordered = texts[texts["stage_text"] != ""].sort_values(["fan_model_key", "stage"], kind="stable")
    return ordered.groupby(ordered["fan_model_key"].astype(str), sort=True)["stage_text"].agg(" | ".join)


def usable_k_scans(previous: pd.DataFrame | None, as_of) -> dict[str, tuple[int, str, pd.Timestamp]]:
    """The kept k scans by method, {method: (k, silhouette_by_k, k_scanned_as_of)}, from the rows of
    this model's table made with the build's scan key (columns method, cluster_k, silhouette_by_k,
    k_scanned_as_of; their distinct values): a method's scan is kept when its rows agree on one scan
    of at least two clusters made at or before `as_of` (a backfill inside the period scans again)."""
    if previous is None or previous.shape[0] == 0:
        return {}
    kept = {}
    for method, rows in previous.groupby(previous["method"].astype(str), sort=True):
        scans = rows[["cluster_k", "silhouette_by_k", "k_scanned_as_of"]].drop_duplicates()
        if len(scans) != 1 or scans["k_scanned_as_of"].isna().any():
            continue
        k, by_k, scanned_as_of = scans.iloc[0]
        if int(k) >= 2 and naive_utc(scanned_as_of) <= naive_utc(as_of):
            kept[method] = (int(k), str(by_k), naive_utc(scanned_as_of))
    return kept


def cluster_all(
    embeddings: pd.DataFrame,
    stage_texts: pd.DataFrame,
    settings: dict[str, str],
    kept_scans: dict[str, tuple[int, str, pd.Timestamp]] | None = None,
    as_of=None,
) -> pd.DataFrame:
    """Every method's clusters; `kept_scans` (usable_k_scans) keeps a method's k, and its rows carry
    the scan's as_of in k_scanned_as_of, otherwise `as_of` (naive UTC; NaT when None)."""
    kept_scans = kept_scans or {}
    texts_by_key = pair_texts(stage_texts)
    frames, counts_by_keys = [], {}
    for method in sorted(embeddings["method"].astype(str).unique()):
        rows = embeddings[embeddings["method"].astype(str) == method]
        rows = rows.sort_values("fan_model_key", kind="stable").reset_index(drop=True)
        keys = rows["fan_model_key"].astype(str).tolist()
        texts = [str(texts_by_key.get(k, "")) for k in keys]
        kept = kept_scans.get(method)
        if tuple(keys) not in counts_by_keys:  # the words of the same pairs are counted once
            counts_by_keys[tuple(keys)] = word_counts(texts)
        counts = counts_by_keys[tuple(keys)]
        result = cluster_method(vector_matrix(rows["embedding"]), texts, settings, kept and kept[:2], counts)
        scanned_as_of = kept[2] if kept and not result["scanned"] else as_of
        labels = result["labels"]
        sizes = pd.Series(labels).map(pd.Series(labels).value_counts()).to_numpy(dtype=np.int64)
        coordinates = np.round(result["coordinates"], 6)
        frames.append(
            pd.DataFrame(
                {
                    "fan_cluster_row_id": [f"{k}|{method}" for k in keys],
                    "fan_model_key": keys,
                    "method": method,
                    "cluster_id": labels,
                    "cluster_size": sizes,
                    "cluster_top_terms": [", ".join(result["terms"][c]) for c in labels],
                    "distance_to_centroid": np.round(result["distance"], 6),
                    "plot_x": coordinates[:, 0],
                    "plot_y": coordinates[:, 1],
                    "plot_z": coordinates[:, 2],
                    "cluster_k": np.int64(result["k"]),
                    "method_silhouette": round(result["silhouette"], 6),
                    "method_davies_bouldin": round(result["davies_bouldin"], 6),
                    "silhouette_by_k": result["silhouette_by_k"],
                    "k_scanned_as_of": pd.Series(
                        [naive_utc(scanned_as_of) if scanned_as_of is not None else pd.NaT] * len(keys),
                        dtype="datetime64[us]",
                    ),
                }
            )
        )
    if not frames:  # no fan-model pair (no chat log): an empty table of the output's columns
        frames = [
            pd.DataFrame(
                {column: pd.Series(dtype=EMPTY_DTYPES.get(column, object)) for column in OUTPUT_COLUMNS}
            )
        ]
    out = pd.concat(frames, ignore_index=True)[OUTPUT_COLUMNS]
    for column in ["fan_cluster_row_id", "fan_model_key", "method", "cluster_top_terms", "silhouette_by_k"]:
        out[column] = out[column].astype("string")
    return out


# >>> shared block kept_fit: keep every copy the same text (sendwise rules-check)
# --- A fit kept for a fit period (docs/ml.md, "Fits on a cadence"): the period of a build, the fit
# as text and back. The same text in each fit model and the model that scores with it (dbt Python
# models cannot import project code on BigQuery). -------------------------------------------------
# Monday 1970-01-05: the fit periods are counted from this day shifted to ml_fit_cadence_first_dow.
PERIOD_ORIGIN = pd.Timestamp("1970-01-05")


def naive_utc(value) -> pd.Timestamp:
    """A timestamp as naive UTC."""
    stamp = pd.Timestamp(value)
    return stamp.tz_convert("UTC").tz_localize(None) if stamp.tzinfo is not None else stamp


def fit_period_start(as_of, cadence_days: int, first_dow: int) -> pd.Timestamp:
    """Midnight UTC starting the fit period that holds `as_of`: periods of `cadence_days` days
    counted from the Monday 1970-01-05 moved to ISO weekday `first_dow` (1 = Monday ... 7 = Sunday).
    With 7 days and first_dow 1 the period is the ISO week; with 1 day every day is a period."""
    if cadence_days < 1 or not 1 <= first_dow <= 7:
        raise ValueError(f"fit cadence of {cadence_days} days from ISO weekday {first_dow}: not a cadence")
    day = naive_utc(as_of).normalize()
    origin = PERIOD_ORIGIN + pd.Timedelta(days=first_dow - 1)
    periods = (day - origin).days // cadence_days
    return origin + pd.Timedelta(days=periods * cadence_days)


def dump_fit(fit: dict) -> tuple[str, str]:
    """(base64 text of the pickled fit, its sha256): a STRING column on both engines."""
    import base64
    import hashlib
    import pickle

    data = pickle.dumps(fit, protocol=5)
    return base64.b64encode(data).decode("ascii"), hashlib.sha256(data).hexdigest()


def load_fit(row: pd.Series, source: str) -> dict:
    """The fit of one row of the fit model `source` (columns fitted_model, fitted_model_sha256),
    after its sha256 matches the stored one (a truncated or altered text is refused, not
    unpickled)."""
    import base64
    import hashlib
    import pickle

    data = base64.b64decode(str(row["fitted_model"]))
    if hashlib.sha256(data).hexdigest() != str(row["fitted_model_sha256"]):
        raise ValueError(f"{source}: the fitted model does not match its sha256; refit with var ml_retrain")
    # the project's own fit, its hash checked (the fit model's docstring says who may write it)
    return pickle.loads(data)


def fit_stamp(value, target_type=None) -> pd.Series:
    """One timestamp (or None) as a column of a fit row, typed as the warehouse's columns: UTC in
    microseconds, naive on DuckDB (TIMESTAMP) and UTC-aware on BigQuery (BigQuery DataFrames
    writes naive ones as DATETIME), as the build stamp."""
    utc = pd.Series([naive_utc(value) if value is not None else pd.NaT], dtype="datetime64[us]")
    return utc.dt.tz_localize("UTC") if target_type == "bigquery" else utc


def usable_previous(previous, as_of, model_version: str):
    """The kept fit as pandas when it may score this build: one row of a fitted model
    (`model_version`; a fallback is never kept: a new agency's first data would wait for the next
    period) not fitted at a later as_of than the build's (a backfill inside the period would score
    rows the fit trained on)."""
    if previous is None:
        return None
    frame = previous.to_pandas() if hasattr(previous, "to_pandas") else previous
    if frame.shape[0] != 1 or str(frame["model_version"].iloc[0]) != model_version:
        return None
    return frame if naive_utc(frame["fitted_as_of"].iloc[0]) <= naive_utc(as_of) else None


# <<< shared block kept_fit


# >>> shared block build_stamp: keep every copy the same text (sendwise rules-check)
# --- Build stamp (macro build_stamp of the SQL marts; docs/reliability.md): as_of and built_at. --
# The same text in every Python mart a dashboard reads (sendwise rules-check keeps the
# copies equal; dbt Python models cannot import project code on BigQuery).


def with_build_stamp(frame, as_of, built_at, target_type=None):
    """`frame` with the build's stamp on every row, as the SQL marts' macro build_stamp adds it:
    as_of (the build's as_of) and built_at (when this model ran), UTC timestamps, set or replaced.
    DuckDB gets naive microsecond timestamps (TIMESTAMP, like the SQL marts); BigQuery UTC-aware
    ones (BigQuery DataFrames writes them as TIMESTAMP; naive ones would be DATETIME). `frame` is
    pandas, BigQuery DataFrames or an Arrow table (a reused output on DuckDB)."""
    stamps = {}
    for name, value in (("as_of", as_of), ("built_at", built_at)):
        stamp = pd.Timestamp(value)
        stamp = stamp.tz_convert("UTC") if stamp.tzinfo is not None else stamp.tz_localize("UTC")
        stamps[name] = (stamp if target_type == "bigquery" else stamp.tz_localize(None)).as_unit("us")
    if hasattr(frame, "append_column"):  # an Arrow table
        import pyarrow as pa

        for name, stamp in stamps.items():
            column = pa.array([stamp.to_pydatetime()] * frame.num_rows, pa.timestamp("us"))
            index = frame.schema.get_field_index(name)
            frame = frame.set_column(index, name, column) if index >= 0 else frame.append_column(name, column)
        return frame
    if not isinstance(frame, pd.DataFrame):  # BigQuery DataFrames: a constant column
        for name, stamp in stamps.items():
            frame[name] = stamp
        return frame
    frame = frame.copy()
    for name, stamp in stamps.items():
        dtype = "datetime64[us, UTC]" if stamp.tzinfo is not None else "datetime64[us]"
        frame[name] = pd.Series([stamp] * len(frame), index=frame.index, dtype=dtype)
    return frame


# <<< shared block build_stamp


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


def previous_k_scans(dbt, session, scan_key: str) -> pd.DataFrame | None:
    """The distinct (method, cluster_k, silhouette_by_k, k_scanned_as_of) of this model's table made
    with `scan_key` (update_fingerprint: the settings with the fit period, code and libraries); None
    when there is no such table or column, or when var ml_retrain is true."""
    if str(dbt.config.get("ml_retrain")).lower() in ("true", "1"):
        return None
    query = (
        "select distinct method, cluster_k, silhouette_by_k, k_scanned_as_of"
        f" from {dbt.this} where k_scan_key = '{scan_key}'"
    )
    return read_relation(dbt, session, query)


def model(dbt, session):
    dbt.config(
        materialized="table",
        packages=[
            "numpy==2.4.6",
            "pandas==2.3.3",
            "pyarrow==26.0.1",
            "scikit-learn==1.9.1",
            "threadpoolctl==3.8.0",
        ],
    )
    import sklearn.cluster  # noqa: F401 - load OpenMP first: threadpoolctl limits only loaded libraries
    from threadpoolctl import threadpool_limits

    built_at = pd.Timestamp.now(tz="UTC")
    target_type = dbt.config.get("target_type")
    as_of = dbt.config.get("as_of")
    settings = settings_dict(to_pandas(dbt.ref("settings_modeling")))
    period_start = fit_period_start(
        as_of, int(float(settings["ml_fit_cadence_days"])), int(float(settings["ml_fit_cadence_first_dow"]))
    )
    settings["ml_fit_period_start"] = period_start.strftime("%Y-%m-%d")
    fingerprints = [
        to_pandas(dbt.ref("int_fan_embedding_fingerprints")),
        to_pandas(dbt.ref("int_fan_input_fingerprints")),
    ]
    fingerprint = input_fingerprint(pd.concat(fingerprints, ignore_index=True), settings)
    previous = previous_output(dbt, session, fingerprint)
    if previous is not None:
        print(f"fan_clusters: reused, inputs and settings unchanged (input fingerprint {fingerprint})")
        return to_engine(with_build_stamp(previous, as_of, built_at, target_type), target_type)

    scan_key = update_fingerprint(settings)
    kept_scans = usable_k_scans(previous_k_scans(dbt, session, scan_key), as_of)
    embeddings = to_pandas(dbt.ref("fan_embeddings"), EMBEDDING_COLUMNS, arrow=True)
    stage_texts = to_pandas(dbt.ref("int_fan_stage_texts"), arrow=True)
    with threadpool_limits(limits=int(float(settings["ml_max_threads"]))):
        result = cluster_all(embeddings, stage_texts, settings, kept_scans, as_of)
    for method, scans in result.groupby("method", sort=True)[["cluster_k", "k_scanned_as_of"]]:
        print(
            f"fan_clusters: method {method}: k = {scans['cluster_k'].iloc[0]} from the k scan at as_of"
            f" {scans['k_scanned_as_of'].iloc[0]} (fit period from {settings['ml_fit_period_start']};"
            f" {'kept' if scans['k_scanned_as_of'].iloc[0] != naive_utc(as_of) else 'scanned now'})"
        )

    result = with_fit_columns(result, fingerprint)
    result["k_scan_key"] = pd.Series([scan_key] * len(result), index=result.index, dtype="string")
    if target_type == "bigquery":  # UTC-aware: BigQuery DataFrames writes naive ones as DATETIME
        result["k_scanned_as_of"] = result["k_scanned_as_of"].dt.tz_localize("UTC")
    result = with_build_stamp(result, as_of, built_at, target_type)
    return to_engine(result, target_type)
