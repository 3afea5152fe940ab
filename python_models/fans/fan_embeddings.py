"""Fan-model pair vectors for clustering and similar-fan search: Method A (stage texts) and Method B
(stage texts + profile features), one row per pair and method.

Inputs: `int_fan_stage_embeddings` (each stage's text vector from the shared embedding cache
`ml_text_embeddings`; no second embedding model) and `fan_profiles` (the pair universe and the
profile features).

* Text block (both methods): a pair's stage 1, 2 and 3 vectors concatenated (a stage that does not
  exist or has no words contributes zeros, so "which stages have words" is part of the signal),
  reduced by PCA to fan_cluster_text_dims (seeded), then scaled as a whole so its total variance
  (sum of the column variances) is 1. Scaling the block as a whole keeps its internal geometry;
  standardising each PCA component would blow the noise components up to the size of the first.
* Profile block (Method B): numeric profile features (measured communication pattern, age, number
  of details) and 0/1 indicators of every listed value (relationship status, purchase motivations,
  emotional needs, personality, hobbies, life events, job), each column standardised (z-score;
  constant columns dropped), the block divided by sqrt(its column count): total variance 1.
* Method A = the text block; Method B = [text block, profile block]: each block contributes one unit
  of variance to squared distances, so neither dominates, whatever the dimensions.

Self-contained (PyPI imports only); pytest imports this file and tests the pure functions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Reuse: the inputs (rows of int_fan_input_fingerprints) and the settings (name prefixes) whose
# change means a new fit; a change of this file's code does too (CODE_VERSION: where the code is not
# run from a file, bump it with any change to what the fit computes).
# (int_fan_stage_embeddings is hashed without its vectors; embedding_model = the provider and model
# whose cached vectors it carries: with the text hashes, they fix the vectors)
REUSE_INPUTS = ["int_fan_stage_embeddings", "embedding_model", "fan_profiles"]
REUSE_SETTING_PREFIXES = ("fan_cluster_seed", "fan_cluster_text_dims")
CODE_VERSION = "1"

STAGES = (1, 2, 3)
METHODS = ("A", "B")
# numeric profile features; log1p for the heavy-tailed counts and durations
NUMERIC_FEATURES = {
    "text_messages": "log1p",
    "avg_message_chars": "identity",
    "emoji_per_message": "identity",
    "question_rate": "identity",
    "median_response_minutes": "log1p",
    "details_found": "identity",
    "age": "identity",
}
# list columns (comma-separated, sorted) and single-valued text columns -> 0/1 indicators
LIST_FEATURES = ("purchase_motivations", "emotional_needs", "personality_traits", "hobbies", "life_events")
SINGLE_FEATURES = ("relationship_status", "job")
OUTPUT_COLUMNS = [
    "fan_embedding_id",
    "fan_model_key",
    "method",
    "embedding_dims",
    "text_dims",
    "profile_dims",
    "stages_with_text",
    "has_text",
    "embedding",
]


def vector_matrix(vectors: pd.Series) -> np.ndarray:
    """Stack a column of equal-length vectors (Arrow list column or sequences) into float64 (n, d)."""
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


def stage_matrix(stages: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(n pairs, 3 d) concatenation of the stage 1, 2, 3 vectors of each pair in `keys` (zeros where a
    stage is absent or has no words) and the number of stages with a vector per pair. Rows are placed
    by fan_model_key and stage, never by position."""
    with_vector = stages[stages["embedding"].notna()].reset_index(drop=True)
    if with_vector.empty:
        return np.zeros((len(keys), 0)), np.zeros(len(keys), dtype=np.int64)
    vectors = vector_matrix(with_vector["embedding"])
    d = vectors.shape[1]
    position = {k: i for i, k in enumerate(keys)}
    rows = with_vector["fan_model_key"].map(position)
    if rows.isna().any():
        unknown = with_vector.loc[rows.isna(), "fan_model_key"].iloc[0]
        raise ValueError(f"stage vector for a pair without a profile: {unknown!r}")
    stage = with_vector["stage"].astype(int).to_numpy()
    if not set(stage) <= set(STAGES):
        raise ValueError(f"unexpected stages {sorted(set(stage) - set(STAGES))}")
    out = np.zeros((len(keys), len(STAGES) * d))
    r = rows.to_numpy(dtype=np.int64)
    for s in STAGES:
        mask = stage == s
        out[r[mask], (s - 1) * d : s * d] = vectors[mask]
    counts = np.bincount(r, minlength=len(keys)).astype(np.int64)
    return out, counts


def scale_to_unit_variance(block: np.ndarray) -> np.ndarray:
    """Centre the block and scale it as a whole so the sum of its column variances is 1 (a block with
    no variance becomes zeros)."""
    centred = block - block.mean(axis=0, keepdims=True) if block.size else block
    total = float(centred.var(axis=0).sum()) if block.size else 0.0
    return centred / np.sqrt(total) if total > 0 else np.zeros_like(centred)


def text_block(concat: np.ndarray, dims: int, seed: int) -> np.ndarray:
    """PCA of the concatenated stage vectors to min(dims, n - 1, features) components, scaled to total
    variance 1."""
    from sklearn.decomposition import PCA

    n, features = concat.shape
    k = int(min(dims, max(n - 1, 0), features))
    if k < 1:
        return np.zeros((n, 0))
    # exact either way: eigendecomposition of the (features x features) covariance when there are more
    # pairs than features (a full SVD of the pair matrix takes ~40 s at the seed scale), else full SVD
    solver = "covariance_eigh" if n >= features else "full"
    reduced = PCA(n_components=k, svd_solver=solver, random_state=seed).fit_transform(concat)
    return scale_to_unit_variance(reduced)


def _split_list(value) -> list[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return []
    return [v.strip() for v in str(value).split(",") if v.strip()]


def profile_features(profiles: pd.DataFrame) -> pd.DataFrame:
    """Raw profile features per pair (rows in the order of `profiles`): transformed numeric columns
    (missing values imputed with the column median, or 0 when all are missing), a has_age indicator,
    and a 0/1 column per listed value ('<column>=<value>', sorted)."""
    out = {}
    for column, transform in NUMERIC_FEATURES.items():
        values = pd.to_numeric(profiles[column], errors="coerce").astype(float)
        if transform == "log1p":
            values = np.log1p(values.clip(lower=0))
        median = values.median()
        out[column] = values.fillna(0.0 if pd.isna(median) else median).to_numpy()
    out["has_age"] = profiles["age"].notna().to_numpy(dtype=float)
    for column in LIST_FEATURES + SINGLE_FEATURES:
        items = [
            _split_list(v) if column in LIST_FEATURES else ([] if pd.isna(v) or v == "" else [str(v)])
            for v in profiles[column]
        ]
        for value in sorted({x for row in items for x in row}):
            out[f"{column}={value}"] = np.array([float(value in row) for row in items])
    return pd.DataFrame(out, index=profiles.index)


def standardised_block(features: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """z-score every column (population std), drop constant columns, divide the block by sqrt(its
    column count): each kept column has variance 1 / d, the block total variance 1. Returns the block
    and the kept column names."""
    x = features.to_numpy(dtype=float)
    if len(x) == 0:  # no pair yet (an agency's first day): no block, and no numpy warning of an empty std
        return np.zeros((0, 0)), []
    std = x.std(axis=0)
    keep = std > 1e-12
    if not keep.any():
        return np.zeros((len(features), 0)), []
    z = (x[:, keep] - x[:, keep].mean(axis=0)) / std[keep]
    return z / np.sqrt(keep.sum()), [c for c, k in zip(features.columns, keep, strict=True) if k]


def method_vectors(text: np.ndarray, profile: np.ndarray) -> dict[str, np.ndarray]:
    """Method A = the text block; Method B = the text block next to the profile block."""
    return {"A": text, "B": np.hstack([text, profile])}


def list_column(matrix: np.ndarray) -> pd.Series:
    """A float64 Arrow list column from the rows of `matrix` (one flat buffer)."""
    import pyarrow as pa

    n, d = matrix.shape
    flat = pa.array(np.ascontiguousarray(matrix, dtype=np.float64).ravel(), type=pa.float64())
    offsets = pa.array(np.arange(0, n * d + 1, max(d, 1))[: n + 1] if d else np.zeros(n + 1), type=pa.int32())
    return pd.Series(pd.arrays.ArrowExtensionArray(pa.ListArray.from_arrays(offsets, flat)))


def build_embeddings(stages: pd.DataFrame, profiles: pd.DataFrame, settings: dict[str, str]) -> pd.DataFrame:
    profiles = profiles.sort_values("fan_model_key", kind="stable").reset_index(drop=True)
    keys = profiles["fan_model_key"].astype(str).tolist()
    seed = int(float(settings["fan_cluster_seed"]))
    concat, stages_with_text = stage_matrix(stages, keys)
    text = text_block(concat, int(float(settings["fan_cluster_text_dims"])), seed)
    profile, _ = standardised_block(profile_features(profiles))
    frames = []
    for method, matrix in method_vectors(text, profile).items():
        frames.append(
            pd.DataFrame(
                {
                    "fan_embedding_id": pd.Series([f"{k}|{method}" for k in keys], dtype="string"),
                    "fan_model_key": pd.Series(keys, dtype="string"),
                    "method": pd.Series([method] * len(keys), dtype="string"),
                    "embedding_dims": np.full(len(keys), matrix.shape[1], dtype=np.int64),
                    "text_dims": np.full(len(keys), text.shape[1], dtype=np.int64),
                    "profile_dims": np.full(
                        len(keys), profile.shape[1] if method == "B" else 0, dtype=np.int64
                    ),
                    "stages_with_text": stages_with_text,
                    "has_text": stages_with_text > 0,
                    "embedding": list_column(matrix),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)[OUTPUT_COLUMNS]


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
    import sklearn.decomposition  # noqa: F401 - load the BLAS first: threadpoolctl limits only loaded libraries
    from threadpoolctl import threadpool_limits

    built_at = pd.Timestamp.now(tz="UTC")
    target_type = dbt.config.get("target_type")
    as_of = dbt.config.get("as_of")
    settings = settings_dict(to_pandas(dbt.ref("settings_modeling")))
    fingerprint = input_fingerprint(to_pandas(dbt.ref("int_fan_input_fingerprints")), settings)
    previous = previous_output(dbt, session, fingerprint)
    if previous is not None:
        print(f"fan_embeddings: reused, inputs and settings unchanged (input fingerprint {fingerprint})")
        return to_engine(with_build_stamp(previous, as_of, built_at, target_type), target_type)

    stages = to_pandas(dbt.ref("int_fan_stage_embeddings"), arrow=True)
    profiles = to_pandas(dbt.ref("fan_profiles"), arrow=True)
    with threadpool_limits(limits=int(float(settings["ml_max_threads"]))):
        result = build_embeddings(stages, profiles, settings)

    result = with_build_stamp(with_fit_columns(result, fingerprint), as_of, built_at, target_type)
    return to_engine(result, target_type)
