"""Near-duplicate caption pairs: embedding cosine at or above the setting near_duplicate_cosine.

Input: `int_caption_embeddings` (library captions with their cached vector for the current provider
and model). Captions are compared within their content category (a reworded variant keeps its
category): exact cosine on unit vectors, block by block and in row chunks, so memory stays at
chunk x block instead of a 36K x 36K matrix. One row per unordered pair (caption_id < the other).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Reuse: the inputs (rows of int_ml_input_fingerprints) and the settings (name prefixes) whose
# change means a new fit; a change of this file's code does too (CODE_VERSION: where the code is not
# run from a file, bump it with any change to what the fit computes).
REUSE_INPUTS = ["int_caption_embeddings"]
REUSE_SETTING_PREFIXES = ("near_duplicate_",)
CODE_VERSION = "1"

OUTPUT_COLUMNS = ["pair_key", "caption_id", "duplicate_caption_id", "content_category", "cosine"]

SETTINGS_COLUMNS = ["setting_name", "setting_value"]


def embedding_matrix(vectors: pd.Series) -> np.ndarray:
    """Stack a column of vectors into float32 (n, d) with unit rows; raises on missing vectors or
    mixed dimensions (a caption without a vector must fail loudly, not vanish)."""
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
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)


def near_duplicate_pairs(
    ids: np.ndarray, blocks: np.ndarray, matrix: np.ndarray, threshold: float, chunk: int = 2048
) -> pd.DataFrame:
    """Pairs (i < j by id) in the same block with cosine >= threshold: caption_id, duplicate_caption_id,
    content_category (the block), cosine. `matrix` rows must be unit length."""
    ids = np.asarray(ids, dtype=object)
    blocks = np.asarray(blocks, dtype=object)
    out = []
    for block in sorted(set(blocks.tolist()), key=str):
        idx = np.flatnonzero(blocks == block)
        if idx.size < 2:
            continue
        idx = idx[np.argsort(ids[idx].astype(str), kind="stable")]  # id order: j > i means id_j > id_i
        sub = matrix[idx]
        for start in range(0, idx.size, chunk):
            sims = sub[start : start + chunk] @ sub.T
            rows, cols = np.nonzero(sims >= threshold)
            rows_abs = rows + start
            keep = cols > rows_abs
            if keep.any():
                out.append(
                    pd.DataFrame(
                        {
                            "caption_id": ids[idx[rows_abs[keep]]],
                            "duplicate_caption_id": ids[idx[cols[keep]]],
                            "content_category": block,
                            "cosine": np.round(sims[rows[keep], cols[keep]].astype(float), 6),
                        }
                    )
                )
    if not out:
        return pd.DataFrame(
            {
                "caption_id": pd.Series(dtype=object),
                "duplicate_caption_id": pd.Series(dtype=object),
                "content_category": pd.Series(dtype=object),
                "cosine": pd.Series(dtype=float),
            }
        )
    pairs = pd.concat(out, ignore_index=True)
    return pairs.sort_values(["caption_id", "duplicate_caption_id"], kind="stable").reset_index(drop=True)


def find_near_duplicates(captions: pd.DataFrame, threshold: float) -> pd.DataFrame:
    matrix = embedding_matrix(captions["embedding"])
    blocks = captions["content_category"].fillna("unknown").to_numpy(dtype=object)
    pairs = near_duplicate_pairs(captions["caption_id"].to_numpy(dtype=object), blocks, matrix, threshold)
    pairs.insert(
        0, "pair_key", pairs["caption_id"].astype(str) + "|" + pairs["duplicate_caption_id"].astype(str)
    )
    pairs["pair_key"] = pairs["pair_key"].astype("string")
    for c in ["caption_id", "duplicate_caption_id", "content_category"]:
        pairs[c] = pairs[c].astype("string")
    return pairs[OUTPUT_COLUMNS]


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
    dbt.config(materialized="table", packages=["numpy==2.4.6", "pandas==2.3.3", "threadpoolctl==3.8.0"])
    from threadpoolctl import threadpool_limits

    settings = settings_dict(to_pandas(dbt.ref("settings_modeling"), SETTINGS_COLUMNS))
    fingerprint = input_fingerprint(to_pandas(dbt.ref("int_ml_input_fingerprints")), settings)
    previous = previous_output(dbt, session, fingerprint)
    if previous is not None:
        print(
            f"caption_near_duplicates: reused, inputs and settings unchanged (input fingerprint {fingerprint})"
        )
        return to_engine(previous, dbt.config.get("target_type"))

    captions = to_pandas(
        dbt.ref("int_caption_embeddings"), ["caption_id", "content_category", "embedding"], arrow=True
    )
    with threadpool_limits(limits=int(float(settings["ml_max_threads"]))):
        result = find_near_duplicates(captions, float(settings["near_duplicate_cosine"]))

    result = with_fit_columns(result, fingerprint)
    return to_engine(result, dbt.config.get("target_type"))
