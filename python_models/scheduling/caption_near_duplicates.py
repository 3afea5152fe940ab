"""Near-duplicate caption pairs: embedding cosine at or above the setting near_duplicate_cosine.

Input: `int_caption_embeddings` (library captions with their cached vector for the current provider
and model). Captions are compared within their content category (a reworded variant keeps its
category): exact cosine on unit vectors, block by block and in row chunks, so memory stays at
chunk x block instead of a 36K x 36K matrix. One row per unordered pair (caption_id < the other).

Update (docs/ml.md, "Reuse"): when the previous output was made with the same settings and code
(update_fingerprint) and caption_near_duplicate_state still holds the captions that run saw
(caption_set_hash), only the captions that are new or whose category or vector (embedding_hash)
changed are searched, against every caption of their block; the previous pairs of removed or
changed captions are dropped and the rest kept. The result equals a full recompute: each pair's
cosine is computed the same way (float64 dot product of the unit float32 rows, smaller id first)
whichever search found it.
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
# The captions the last run saw (caption_id, content_category, embedding_hash): a table built after
# this model from the same int_caption_embeddings, in this model's schema; read by name, since a ref
# would be a cycle (it refs this model).
STATE_MODEL = "caption_near_duplicate_state"
STATE_COLUMNS = ["caption_id", "content_category", "embedding_hash"]
# Candidates are found by a float32 product with this margin below the threshold, then kept on their
# exact float64 cosine: the float32 error (about 1e-6 on unit vectors) never decides a pair.
CANDIDATE_MARGIN = 1e-3

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
        flat = array.flatten().to_numpy(zero_copy_only=False)  # FLOAT[] vectors: Arrow's buffer, no copy
        matrix = flat.astype(np.float32, copy=False).reshape(len(array), lengths.pop())
    else:
        matrix = np.stack([np.asarray(v, dtype=np.float32) for v in vectors])
    # normalised in blocks of rows: each row's norm is the same whatever the block (a row is reduced on
    # its own), without a squared copy of the whole library (358,560 x 256 floats at x10: 1.5 of the
    # 2.4 s this function took)
    unit = np.zeros_like(matrix)
    for start in range(0, matrix.shape[0], 32_768):
        rows = matrix[start : start + 32_768]
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        np.divide(rows, norms, out=unit[start : start + 32_768], where=norms > 0)
    return unit


def pair_cosines(matrix: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine of the unit rows a[i] and b[i]: the float64 sum of their float32 products (each product
    exact in float64), summed in one fixed order, so a pair gets the same value whichever search
    found it and in whichever batch."""
    if len(a) == 0:
        return np.zeros(0, dtype=float)
    return (matrix[a].astype(np.float64) * matrix[b].astype(np.float64)).sum(axis=1)


def near_duplicate_pairs(
    ids: np.ndarray,
    blocks: np.ndarray,
    matrix: np.ndarray,
    threshold: float,
    chunk: int = 2048,
    query: np.ndarray | None = None,
) -> pd.DataFrame:
    """Pairs (i < j by id) in the same block with cosine >= threshold: caption_id, duplicate_caption_id,
    content_category (the block), cosine. `matrix` rows must be unit length. `query` (a boolean mask
    of the rows, None = every row): only the pairs with at least one query row, each searched
    against every row of its block."""
    ids = np.asarray(ids, dtype=object)
    blocks = np.asarray(blocks, dtype=object)
    wanted = np.ones(len(ids), dtype=bool) if query is None else np.asarray(query, dtype=bool)
    out = []
    for block in sorted(set(blocks[wanted].tolist()), key=str):
        idx = np.flatnonzero(blocks == block)
        if idx.size < 2:
            continue
        idx = idx[np.argsort(ids[idx].astype(str), kind="stable")]  # id order: j > i means id_j > id_i
        sub = matrix[idx]
        rows_of_block = np.flatnonzero(wanted[idx])  # positions in the block of the rows searched
        found = []
        for start in range(0, rows_of_block.size, chunk):
            positions = rows_of_block[start : start + chunk]
            sims = sub[positions] @ sub.T
            rows, cols = np.nonzero(sims >= threshold - CANDIDATE_MARGIN)
            rows = positions[rows]
            keep = cols != rows
            found.append(
                np.stack([np.minimum(rows[keep], cols[keep]), np.maximum(rows[keep], cols[keep])], 1)
            )
        pairs = np.unique(np.concatenate(found), axis=0) if found else np.zeros((0, 2), dtype=np.int64)
        if len(pairs) == 0:
            continue
        cosine = pair_cosines(sub, pairs[:, 0], pairs[:, 1])
        keep = cosine >= threshold
        if keep.any():
            out.append(
                pd.DataFrame(
                    {
                        "caption_id": ids[idx[pairs[keep, 0]]],
                        "duplicate_caption_id": ids[idx[pairs[keep, 1]]],
                        "content_category": block,
                        "cosine": np.round(cosine[keep], 6),
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


def output_frame(pairs: pd.DataFrame) -> pd.DataFrame:
    """Pairs (caption_id, duplicate_caption_id, content_category, cosine) as the output's columns and
    types, in id order."""
    pairs = pairs.sort_values(["caption_id", "duplicate_caption_id"], kind="stable").reset_index(drop=True)
    pairs.insert(
        0, "pair_key", pairs["caption_id"].astype(str) + "|" + pairs["duplicate_caption_id"].astype(str)
    )
    for c in ["pair_key", "caption_id", "duplicate_caption_id", "content_category"]:
        pairs[c] = pairs[c].astype("string")
    pairs["cosine"] = pairs["cosine"].astype(float)
    return pairs[OUTPUT_COLUMNS]


def caption_blocks(captions: pd.DataFrame) -> np.ndarray:
    """The block of each caption: its content category ('unknown' when it has none)."""
    return captions["content_category"].fillna("unknown").astype(str).to_numpy(dtype=object)


def find_near_duplicates(captions: pd.DataFrame, threshold: float) -> pd.DataFrame:
    matrix = embedding_matrix(captions["embedding"])
    pairs = near_duplicate_pairs(
        captions["caption_id"].to_numpy(dtype=object), caption_blocks(captions), matrix, threshold
    )
    return output_frame(pairs)


def caption_state(captions: pd.DataFrame) -> pd.DataFrame:
    """(caption_id, content_category, embedding_hash) of each caption as plain text, in id order: what
    decides a caption's pairs besides the settings and code (a null category is block 'unknown')."""
    state = pd.DataFrame(
        {
            "caption_id": captions["caption_id"].astype(str).to_numpy(dtype=object),
            "content_category": caption_blocks(captions),
            "embedding_hash": captions["embedding_hash"].astype(str).to_numpy(dtype=object),
        }
    )
    return state.sort_values("caption_id", kind="stable").reset_index(drop=True)


def caption_set_hash(captions: pd.DataFrame) -> str:
    """sha256 (32 hex) of the captions' state (caption_state), whatever the row order."""
    import hashlib

    state = caption_state(captions)
    lines = "\n".join(
        f"{i}\t{c}\t{h}"
        for i, c, h in zip(
            state["caption_id"], state["content_category"], state["embedding_hash"], strict=True
        )
    )
    return hashlib.sha256(lines.encode()).hexdigest()[:32]


def changed_captions(previous_state: pd.DataFrame, captions: pd.DataFrame) -> tuple[np.ndarray, set[str]]:
    """(mask over `captions` of the captions that are new or whose category or vector changed, the ids
    of the previous captions that were removed or changed)."""
    # compared column-wise by caption_id (dicts and a Python comparison per caption took 2.3 s of
    # 358,560 captions at x10); caption ids are unique on both sides (int_caption_embeddings' key)
    before = caption_state(previous_state).drop_duplicates("caption_id", keep="last").set_index("caption_id")
    now = pd.DataFrame(
        {
            "caption_id": captions["caption_id"].astype(str).to_numpy(dtype=object),
            "content_category": caption_blocks(captions),
            "embedding_hash": captions["embedding_hash"].astype(str).to_numpy(dtype=object),
        }
    )
    known = before.reindex(now["caption_id"])
    same = (known["content_category"].to_numpy() == now["content_category"].to_numpy()) & (
        known["embedding_hash"].to_numpy() == now["embedding_hash"].to_numpy()
    )
    current = now[same]["caption_id"]
    stale = set(before.index[~before.index.isin(current)])
    return ~same, stale


def update_near_duplicates(
    previous_pairs: pd.DataFrame, previous_state: pd.DataFrame, captions: pd.DataFrame, threshold: float
) -> tuple[pd.DataFrame, int]:
    """The pairs of `captions` from the previous run's pairs and the captions it saw (same threshold
    and code): the pairs of the new or changed captions are searched against every caption of their
    block, the previous pairs of removed or changed captions are dropped, the rest kept. Returns
    (the pairs as find_near_duplicates gives them, the number of new or changed captions)."""
    mask, stale = changed_captions(previous_state, captions)
    kept = previous_pairs[
        ~previous_pairs["caption_id"].astype(str).isin(stale)
        & ~previous_pairs["duplicate_caption_id"].astype(str).isin(stale)
    ][["caption_id", "duplicate_caption_id", "content_category", "cosine"]]
    if mask.any():
        matrix = embedding_matrix(captions["embedding"])
        found = near_duplicate_pairs(
            captions["caption_id"].to_numpy(dtype=object),
            caption_blocks(captions),
            matrix,
            threshold,
            query=mask,
        )
        kept = pd.concat([kept.astype({"cosine": float}), found.astype({"cosine": float})], ignore_index=True)
    else:
        embedding_matrix(captions["embedding"])  # a caption without a vector fails here too
    return output_frame(
        kept.astype(dict.fromkeys(["caption_id", "duplicate_caption_id", "content_category"], str))
    ), int(mask.sum())


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


def previous_run(dbt, session, fingerprint: str):
    """(the previous pairs, the captions that run saw) when the current table was made with these
    settings and code (update_fingerprint) and caption_near_duplicate_state holds the captions it saw
    (the same caption_set_hash); None otherwise, or when var ml_retrain is true."""
    if str(dbt.config.get("ml_retrain")).lower() in ("true", "1"):
        return None
    this = dbt.this
    if dbt.config.get("target_type") == "bigquery":
        state_relation = f"`{this.database}.{this.schema}.{STATE_MODEL}`"
    else:
        state_relation = f'"{this.database}"."{this.schema}"."{STATE_MODEL}"'
    pairs = read_relation(
        dbt,
        session,
        "select caption_id, duplicate_caption_id, content_category, cosine, caption_set_hash"
        f" from {this} where update_fingerprint = '{fingerprint}'",
    )
    if pairs is None or len(pairs) == 0 or pairs["caption_set_hash"].nunique() != 1:
        return None
    state = read_relation(dbt, session, f"select {', '.join(STATE_COLUMNS)} from {state_relation}")
    if state is None or len(state) == 0 or caption_set_hash(state) != pairs["caption_set_hash"].iloc[0]:
        return None
    return pairs.drop(columns="caption_set_hash"), state


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

    columns = ["caption_id", "content_category", "embedding_hash", "embedding"]
    captions = to_pandas(dbt.ref("int_caption_embeddings"), columns, arrow=True)
    threshold = float(settings["near_duplicate_cosine"])
    method = update_fingerprint(settings)
    previous_pairs = previous_run(dbt, session, method)
    with threadpool_limits(limits=int(float(settings["ml_max_threads"]))):
        if previous_pairs is None:
            result, mode = find_near_duplicates(captions, threshold), "trained"
        else:
            result, changed = update_near_duplicates(*previous_pairs, captions, threshold)
            mode = "updated"
            print(
                f"caption_near_duplicates: updated, {changed:,} new or changed captions of {len(captions):,}"
                f" (input fingerprint {fingerprint})"
            )

    result = with_fit_columns(result, fingerprint)
    result["fit_mode"] = pd.Series([mode] * len(result), index=result.index, dtype="string")
    result["update_fingerprint"] = pd.Series([method] * len(result), index=result.index, dtype="string")
    state_hash = caption_set_hash(captions)
    result["caption_set_hash"] = pd.Series([state_hash] * len(result), index=result.index, dtype="string")
    return to_engine(result, dbt.config.get("target_type"))
