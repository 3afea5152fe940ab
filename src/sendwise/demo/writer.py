"""Writing frames into DuckDB: contract tables with exact columns/types, truth tables as given."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from sendwise.contracts import SourceTable

_ARROW = {
    "VARCHAR": pa.string(),
    "DOUBLE": pa.float64(),
    "BIGINT": pa.int64(),
    "INTEGER": pa.int32(),
    "BOOLEAN": pa.bool_(),
    "TIMESTAMP": pa.timestamp("us"),
}


def _arrow_col(values, duck_type: str | None = None) -> pa.Array:
    arr = np.asarray(values)
    if arr.dtype == np.dtype("datetime64[D]"):
        return pa.array(arr, type=pa.date32(), mask=np.isnat(arr))
    if arr.dtype.kind == "M":
        arr = arr.astype("datetime64[us]")
        return pa.array(arr, type=pa.timestamp("us"), mask=np.isnat(arr))
    if duck_type is None:
        if arr.dtype.kind == "O":
            non_null = [v for v in arr[:1000] if v is not None]
            if non_null and all(isinstance(v, bool | np.bool_) for v in non_null):
                return pa.array(arr, type=pa.bool_())
            return pa.array(arr, type=pa.string(), from_pandas=True)
        return pa.array(arr, from_pandas=True)
    typ = _ARROW[duck_type]
    if duck_type in ("BIGINT", "INTEGER") and arr.dtype.kind == "f":
        mask = np.isnan(arr)
        return pa.array(np.where(mask, 0, arr).astype(np.int64), type=typ, mask=mask)
    return pa.array(arr, type=typ, from_pandas=True)


def write_source(con, spec: SourceTable, df: pd.DataFrame) -> int:
    names = spec.column_names()
    if list(df.columns) != names:
        raise ValueError(f"{spec.qualified}: columns {list(df.columns)} != contract {names}")
    table = pa.table({c.name: _arrow_col(df[c.name].to_numpy(), c.duckdb_type) for c in spec.columns})
    select = ", ".join(f'cast("{c.name}" as {c.duckdb_type}) as "{c.name}"' for c in spec.columns)
    con.register("_demo_frame", table)
    try:
        con.execute(f"create or replace table {spec.qualified} as select {select} from _demo_frame")
    finally:
        con.unregister("_demo_frame")
    return len(df)


def write_truth(con, name: str, df: pd.DataFrame, casts: dict[str, str] | None = None) -> int:
    """ground_truth.<name> from df (types inferred; `casts` maps column -> DuckDB type)."""
    table = pa.table({c: _arrow_col(df[c].to_numpy()) for c in df.columns})
    replace = ", ".join(f'cast("{c}" as {t}) as "{c}"' for c, t in (casts or {}).items())
    select = f"* replace ({replace})" if replace else "*"
    con.register("_demo_frame", table)
    try:
        con.execute(f"create or replace table ground_truth.{name} as select {select} from _demo_frame")
    finally:
        con.unregister("_demo_frame")
    return len(df)
