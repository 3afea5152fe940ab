"""Types and values between DuckDB, BigQuery type names and ZetaSQL's protos (TypeProto, ValueProto).

Pure functions:
* `bigquery_type_from_duckdb`: the BigQuery type a DuckDB column becomes (Python models' outputs,
  raw sources declared in DuckDB terms).
* `type_name`: a ZetaSQL TypeProto as a BigQuery type name (`INT64`, `ARRAY<STRING>`, ...).
* `encode_value` / `decode_value`: a Python value (as DuckDB returns it) to a ValueProto of a
  given TypeProto, and back, in the JSON form the Node bridge passes to protobufjs;
  `table_content`: rows so encoded as a table for the evaluator.
* `normalise_row` / `compare_tables`: the parity comparison (row counts, then rows sorted; floats
  to 9 significant digits; timestamps as naive UTC to the microsecond).
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

EPOCH_DATE = dt.date(1970, 1, 1)
EPOCH = dt.datetime(1970, 1, 1)

_SCALARS = {
    "VARCHAR": "STRING",
    "TEXT": "STRING",
    "STRING": "STRING",
    "UUID": "STRING",
    "DOUBLE": "FLOAT64",
    "FLOAT": "FLOAT64",
    "REAL": "FLOAT64",
    "FLOAT8": "FLOAT64",
    "FLOAT64": "FLOAT64",
    "BIGINT": "INT64",
    "INTEGER": "INT64",
    "INT": "INT64",
    "SMALLINT": "INT64",
    "TINYINT": "INT64",
    "HUGEINT": "INT64",
    "UBIGINT": "INT64",
    "UINTEGER": "INT64",
    "USMALLINT": "INT64",
    "UTINYINT": "INT64",
    "INT64": "INT64",
    "BOOLEAN": "BOOL",
    "BOOL": "BOOL",
    # the project stores UTC instants as naive DuckDB timestamps (profile TimeZone UTC)
    "TIMESTAMP": "TIMESTAMP",
    "TIMESTAMP WITH TIME ZONE": "TIMESTAMP",
    "TIMESTAMPTZ": "TIMESTAMP",
    "TIMESTAMP_NS": "TIMESTAMP",
    "TIMESTAMP_MS": "TIMESTAMP",
    "TIMESTAMP_S": "TIMESTAMP",
    "DATETIME": "DATETIME",
    "DATE": "DATE",
    "TIME": "TIME",
    "BLOB": "BYTES",
    "JSON": "JSON",
    "INTERVAL": "INTERVAL",
}


def bigquery_type_from_duckdb(duckdb_type: str) -> str:
    """The BigQuery type of a DuckDB column type (DECIMAL -> NUMERIC, LIST -> ARRAY, STRUCT -> STRUCT)."""
    text = duckdb_type.strip()
    upper = text.upper()
    if upper.endswith("[]"):
        return f"ARRAY<{bigquery_type_from_duckdb(text[:-2])}>"
    if upper.startswith(("DECIMAL", "NUMERIC")):
        return "NUMERIC"
    if upper.startswith("STRUCT(") and text.endswith(")"):
        fields = [f"{name} {bigquery_type_from_duckdb(kind)}" for name, kind in _struct_fields(text[7:-1])]
        return f"STRUCT<{', '.join(fields)}>"
    if upper in _SCALARS:
        return _SCALARS[upper]
    raise ValueError(f"no BigQuery type for DuckDB type {duckdb_type!r}")


def _struct_fields(body: str) -> list[tuple[str, str]]:
    fields, depth, start = [], 0, 0
    for i, char in enumerate(body + ","):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            part = body[start:i].strip()
            name, _, kind = part.partition(" ")
            fields.append((name.strip('"'), kind.strip()))
            start = i + 1
    return fields


_KIND_NAMES = {
    "TYPE_INT32": "INT32",
    "TYPE_INT64": "INT64",
    "TYPE_UINT32": "UINT32",
    "TYPE_UINT64": "UINT64",
    "TYPE_BOOL": "BOOL",
    "TYPE_FLOAT": "FLOAT32",
    "TYPE_DOUBLE": "FLOAT64",
    "TYPE_STRING": "STRING",
    "TYPE_BYTES": "BYTES",
    "TYPE_DATE": "DATE",
    "TYPE_TIMESTAMP": "TIMESTAMP",
    "TYPE_TIME": "TIME",
    "TYPE_DATETIME": "DATETIME",
    "TYPE_GEOGRAPHY": "GEOGRAPHY",
    "TYPE_NUMERIC": "NUMERIC",
    "TYPE_BIGNUMERIC": "BIGNUMERIC",
    "TYPE_JSON": "JSON",
    "TYPE_INTERVAL": "INTERVAL",
}


def type_name(type_proto: dict[str, Any]) -> str:
    """A ZetaSQL TypeProto (JSON) as a BigQuery type name."""
    kind = type_proto.get("type_kind")
    if kind == "TYPE_ARRAY":
        return f"ARRAY<{type_name(type_proto['array_type']['element_type'])}>"
    if kind == "TYPE_STRUCT":
        fields = type_proto.get("struct_type", {}).get("field", [])
        inner = ", ".join(
            f"{f['field_name']} {type_name(f['field_type'])}"
            if f.get("field_name")
            else type_name(f["field_type"])
            for f in fields
        )
        return f"STRUCT<{inner}>"
    if kind in _KIND_NAMES:
        return _KIND_NAMES[kind]
    raise ValueError(f"unknown ZetaSQL type {type_proto!r}")


def normalise_type_name(name: str) -> str:
    """Spelling-insensitive BigQuery type name: upper case, single spaces, FLOAT64 for FLOAT, INT64 for INTEGER."""
    text = re.sub(r"\s+", " ", name.strip().upper())
    text = re.sub(r"\s*([<>,])\s*", r"\1", text)
    aliases = {"INTEGER": "INT64", "INT": "INT64", "BIGINT": "INT64", "FLOAT": "FLOAT64", "BOOLEAN": "BOOL"}
    aliases |= {"DECIMAL": "NUMERIC", "BIGDECIMAL": "BIGNUMERIC", "SMALLINT": "INT64", "TINYINT": "INT64"}
    return re.sub(r"[A-Z0-9_]+", lambda m: aliases.get(m.group(0), m.group(0)), text)


# ZetaSQL packs a DATETIME's civil fields into one integer (zetasql/public/civil_time.h).
_YEAR, _MONTH, _DAY, _HOUR, _MINUTE = 26, 22, 17, 12, 6


def pack_datetime(value: dt.datetime) -> int:
    return (
        value.year << _YEAR
        | value.month << _MONTH
        | value.day << _DAY
        | value.hour << _HOUR
        | value.minute << _MINUTE
        | value.second
    )


def unpack_datetime(bits: int, nanos: int = 0) -> dt.datetime:
    return dt.datetime(
        bits >> _YEAR,
        (bits >> _MONTH) & 0xF,
        (bits >> _DAY) & 0x1F,
        (bits >> _HOUR) & 0x1F,
        (bits >> _MINUTE) & 0x3F,
        bits & 0x3F,
        nanos // 1000,
    )


def _naive_utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


class EncodeError(ValueError):
    """A value cannot be given the column's BigQuery type."""


def _double(value: float) -> float | str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def encode_value(value: Any, type_proto: dict[str, Any]) -> dict[str, Any]:
    """A Python value as a ValueProto (JSON) of `type_proto`; None is NULL ({})."""
    if value is None:
        return {}
    kind = type_proto.get("type_kind")
    try:
        if kind in ("TYPE_INT64", "TYPE_DOUBLE") and not isinstance(value, int | float | decimal.Decimal):
            raise EncodeError(f"{value!r} is not a number")
        if kind == "TYPE_INT64":
            if isinstance(value, float | decimal.Decimal) and value != int(value):
                raise EncodeError(f"{value!r} is not an integer")
            return {"int64_value": str(int(value))}
        if kind == "TYPE_DOUBLE":
            return {"double_value": _double(float(value))}
        if kind == "TYPE_BOOL":
            if not isinstance(value, bool):
                raise EncodeError(f"{value!r} is not a boolean")
            return {"bool_value": value}
        if kind == "TYPE_STRING":
            if not isinstance(value, str):
                raise EncodeError(f"{value!r} is not a string")
            return {"string_value": value}
        if kind == "TYPE_JSON":
            return {"json_value": value if isinstance(value, str) else json.dumps(value)}
        if kind == "TYPE_DATE":
            if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
                raise EncodeError(f"{value!r} is not a date")
            return {"date_value": (value - EPOCH_DATE).days}
        if kind == "TYPE_TIMESTAMP":
            if not isinstance(value, dt.datetime):
                raise EncodeError(f"{value!r} is not a timestamp")
            delta = _naive_utc(value) - EPOCH
            seconds = delta.days * 86400 + delta.seconds
            return {"timestamp_value": {"seconds": str(seconds), "nanos": delta.microseconds * 1000}}
        if kind == "TYPE_DATETIME":
            if not isinstance(value, dt.datetime):
                raise EncodeError(f"{value!r} is not a datetime")
            return {
                "datetime_value": {
                    "bit_field_datetime_seconds": str(pack_datetime(value)),
                    "nanos": value.microsecond * 1000,
                }
            }
        if kind == "TYPE_ARRAY":
            element = type_proto["array_type"]["element_type"]
            return {"array_value": {"element": [encode_value(item, element) for item in value]}}
        if kind == "TYPE_STRUCT":
            fields = type_proto["struct_type"].get("field", [])
            items = list(value.values()) if isinstance(value, dict) else list(value)
            if len(items) != len(fields):
                raise EncodeError(f"{value!r} does not have {len(fields)} fields")
            return {
                "struct_value": {
                    "field": [encode_value(i, f["field_type"]) for i, f in zip(items, fields, strict=False)]
                }
            }
    except (TypeError, OverflowError) as exc:
        raise EncodeError(f"{value!r}: {exc}") from exc
    raise EncodeError(f"values of type {type_name(type_proto)} are not supported by the parity check")


def table_content(rows: Iterable[Sequence[Any]], type_protos: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Rows (as DuckDB returns them) as the evaluator's TableContent of columns of `type_protos`."""
    return {
        "table_data": {
            "row": [
                {"cell": [encode_value(v, t) for v, t in zip(row, type_protos, strict=True)]} for row in rows
            ]
        }
    }


def decode_value(cell: dict[str, Any], type_proto: dict[str, Any]) -> Any:
    """A ValueProto (JSON, as the bridge returns it) as a Python value; {} is None."""
    if not cell:
        return None
    kind = type_proto.get("type_kind")
    if "int64_value" in cell:
        return int(cell["int64_value"])
    if "double_value" in cell:
        return float(cell["double_value"])
    if "bool_value" in cell:
        return bool(cell["bool_value"])
    if "string_value" in cell:
        return cell["string_value"]
    if "json_value" in cell:
        return cell["json_value"]
    if "date_value" in cell:
        return EPOCH_DATE + dt.timedelta(days=int(cell["date_value"]))
    if "timestamp_value" in cell:
        stamp = cell["timestamp_value"]
        seconds = int(stamp.get("seconds", 0))
        return EPOCH + dt.timedelta(seconds=seconds, microseconds=int(stamp.get("nanos", 0)) // 1000)
    if "datetime_value" in cell:
        value = cell["datetime_value"]
        return unpack_datetime(int(value.get("bit_field_datetime_seconds", 0)), int(value.get("nanos", 0)))
    if "array_value" in cell:
        element = type_proto.get("array_type", {}).get("element_type", {})
        return [decode_value(item, element) for item in cell["array_value"].get("element", [])]
    if "struct_value" in cell:
        fields = type_proto.get("struct_type", {}).get("field", [])
        values = cell["struct_value"].get("field", [])
        return tuple(decode_value(v, f.get("field_type", {})) for v, f in zip(values, fields, strict=False))
    raise EncodeError(f"cannot decode a {kind} value {cell!r}")


# ---------------------------------------------------------------------------------------------
# parity comparison


def _normalise(value: Any, digits: int) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float | decimal.Decimal):
        number = float(value)
        if math.isnan(number):
            return "NaN"
        if math.isinf(number):
            return "Infinity" if number > 0 else "-Infinity"
        if number.is_integer() and abs(number) < 2**53:
            return int(number)
        return float(f"{number:.{digits}g}")
    if isinstance(value, dt.datetime):
        return _naive_utc(value).isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return tuple(_normalise(item, digits) for item in value)
    if isinstance(value, dict):
        return tuple(_normalise(item, digits) for item in value.values())
    return value


def normalise_row(row: Sequence[Any], digits: int = 9) -> tuple:
    """A row made comparable across engines: floats to `digits` significant digits, whole floats as
    integers, timestamps as naive UTC ISO text, arrays and structs as tuples."""
    return tuple(_normalise(value, digits) for value in row)


def _sort_key(row: tuple) -> tuple:
    return tuple((value is None, type(value).__name__, str(value)) for value in row)


def _same(left: Any, right: Any, digits: int) -> bool:
    """Equal after normalising, or two numbers within a relative 10^-digits of each other (two sums
    of the same floats in another order can straddle a rounding boundary at the 9th digit)."""
    if left == right:
        return True
    if isinstance(left, tuple) and isinstance(right, tuple):
        return len(left) == len(right) and all(_same(a, b, digits) for a, b in zip(left, right, strict=True))
    numbers = (int, float)
    if isinstance(left, numbers) and isinstance(right, numbers) and not isinstance(left, bool | str):
        return math.isclose(float(left), float(right), rel_tol=10.0**-digits, abs_tol=1e-12)
    return False


@dataclass(frozen=True)
class Comparison:
    identical: bool
    detail: str = ""


# rows are sorted on floats rounded to fewer digits than they are compared on, so that float noise
# in the last compared digit cannot change the order
SORT_DIGITS = 6


def compare_tables(
    expected: Iterable[Sequence[Any]],
    actual: Iterable[Sequence[Any]],
    columns: Sequence[str],
    digits: int = 9,
    names: tuple[str, str] = ("DuckDB", "ZetaSQL"),
) -> Comparison:
    """Compare two row sets (DuckDB's and the evaluator's, or any two named by `names`) as multisets:
    same row count, then the rows sorted, value by value (`normalise_row`; floats within `digits`
    significant digits)."""

    def prepared(rows):
        pairs = [(normalise_row(r, SORT_DIGITS), normalise_row(r, digits + 3)) for r in rows]
        return [full for _, full in sorted(pairs, key=lambda pair: _sort_key(pair[0]))]

    left, right = prepared(expected), prepared(actual)
    if len(left) != len(right):
        return Comparison(False, f"row counts differ: {names[0]} {len(left)}, {names[1]} {len(right)}")
    differing = [(a, b) for a, b in zip(left, right, strict=True) if not _same(a, b, digits)]
    if differing:
        a, b = differing[0]
        diffs = [
            f"{c}: {names[0]} {x!r} vs {names[1]} {y!r}"
            for c, x, y in zip(columns, a, b, strict=False)
            if not _same(x, y, digits)
        ]
        return Comparison(
            False, f"{len(differing)} of {len(left)} sorted rows differ; first: " + "; ".join(diffs[:3])
        )
    return Comparison(True)
