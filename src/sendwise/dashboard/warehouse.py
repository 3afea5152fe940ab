"""Where the dashboard reads the marts: the DuckDB file (read-only) or BigQuery.

Both implementations answer the same four questions - which relation holds a model, which columns
it has, the result of a query, and a version string that changes when the data does (the cache
key) - and run the same SQL apart from relation names. DuckDB finds a model's schema by its layer
suffix whatever the profile's prefix (sendwise.schemas: sendwise_marts, analytics_marts, ...) and
opens the file read-only for each query and closes it at once, so a `dbt build` can take the file
between two page loads. BigQuery uses the profile's output (profiles.yml, rendered with its
env_var() defaults): its project, dataset and location, and its credentials (oauth = application
default credentials, service-account keyfile, service-account-json, oauth-secrets token).
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sendwise.paths import PROJECT_ROOT, duckdb_path
from sendwise.schemas import AmbiguousSchema, Catalog, catalog

# Schemas (DuckDB: <any prefix>_<suffix>, sendwise.schemas) / dataset suffixes (BigQuery: the
# profile's dataset_<suffix>) the dashboard reads, in lookup order.
SCHEMA_SUFFIXES = ("marts", "ops", "ml", "staging", "seeds")
# A DuckDB connection is closed after this many seconds without a query (the file is then free).
IDLE_CLOSE_S = 1.0


class WarehouseError(RuntimeError):
    """The warehouse cannot be read (no database, no credentials, a mart in two builds' schemas)."""


@dataclass
class DuckDBWarehouse:
    path: Path
    engine: str = "duckdb"
    _tables: Catalog | None = field(default=None, repr=False)
    _tables_version: str | None = field(default=None, repr=False)
    _columns: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _con: object | None = field(default=None, repr=False)
    _uses: int = field(default=0, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        if not self.path.exists():
            raise WarehouseError(f"no database at {self.path}: run `make demo` first")

    @property
    def key(self) -> str:
        return f"duckdb:{self.path}"

    def version(self) -> str:
        """The file's modification time: a build writes the file, so every cache keyed on it expires."""
        stat = self.path.stat()
        return f"{stat.st_mtime_ns}:{stat.st_size}"

    def built_at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.path.stat().st_mtime, tz=dt.UTC)

    def query(self, sql: str) -> pd.DataFrame:
        return self._read(lambda con: con.execute(sql).df())

    def _read(self, read):
        """read(con) on a read-only connection that is opened on demand and closed once no query
        has run for IDLE_CLOSE_S: one connection serves a page's queries (opening the file costs a
        few hundred milliseconds) and the file is free for a `dbt build` a moment later."""
        import duckdb

        with self._lock:
            if self._con is None:
                self._con = duckdb.connect(str(self.path), read_only=True)
            self._uses += 1
            try:
                return read(self._con)
            finally:
                self._schedule_close(self._uses)

    def _schedule_close(self, use: int) -> None:
        timer = threading.Timer(IDLE_CLOSE_S, self._close_if_idle, args=(use,))
        timer.daemon = True
        timer.start()

    def _close_if_idle(self, use: int) -> None:
        with self._lock:
            if self._con is not None and self._uses == use:
                self._con.close()
                self._con = None

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None

    def _catalog(self) -> Catalog:
        """The layer schemas (sendwise.schemas.catalog, lookup order SCHEMA_SUFFIXES), read again
        when the file changes; a column list is read when asked for (listing every view's columns
        would bind all of them, which takes most of a second on the seed demo)."""
        version = self.version()
        if self._tables is None or self._tables_version != version:
            self._tables = self._read(lambda con: catalog(con, SCHEMA_SUFFIXES))
            self._tables_version, self._columns = version, {}
        return self._tables

    def _schema(self, name: str) -> str | None:
        try:
            return self._catalog().schema(name)
        except AmbiguousSchema as exc:
            raise WarehouseError(str(exc)) from exc

    def relation(self, name: str) -> str | None:
        schema = self._schema(name)
        return self._quote(schema, name) if schema else None

    def columns(self, name: str) -> list[str]:
        schema = self._schema(name)
        if not schema:
            return []
        if name not in self._columns:
            frame = self.query(
                "select column_name from duckdb_columns() "
                f"where schema_name = '{schema}' and table_name = '{name}' order by column_index"
            )
            self._columns[name] = list(frame["column_name"])
        return list(self._columns[name])

    @staticmethod
    def _quote(schema: str, name: str) -> str:
        return f'"{schema}"."{name}"'


@dataclass
class BigQueryWarehouse:
    project: str
    dataset: str
    location: str | None = None
    credentials: object | None = None
    engine: str = "bigquery"
    _client: object | None = field(default=None, repr=False)
    _tables: dict[str, tuple[str, list[str]]] | None = field(default=None, repr=False)

    @property
    def key(self) -> str:
        return f"bigquery:{self.project}.{self.dataset}"

    @property
    def client(self):
        if self._client is None:
            from google.cloud import bigquery

            self._client = bigquery.Client(
                project=self.project, location=self.location, credentials=self.credentials
            )
        return self._client

    def query(self, sql: str) -> pd.DataFrame:
        return self.client.query(sql).to_dataframe()

    def relation(self, name: str) -> str | None:
        found = self._catalog().get(name)
        return self._quote(found[0], name) if found else None

    def columns(self, name: str) -> list[str]:
        found = self._catalog().get(name)
        return list(found[1]) if found else []

    def _catalog(self) -> dict[str, tuple[str, list[str]]]:
        """{table: (dataset, columns)}: the first dataset <profile dataset>_<suffix> holding it."""
        if self._tables is None:
            tables: dict[str, tuple[str, list[str]]] = {}
            for suffix in SCHEMA_SUFFIXES:
                dataset = f"{self.dataset}_{suffix}"
                frame = self.query(
                    f"select table_name, column_name from `{self.project}.{dataset}.INFORMATION_SCHEMA.COLUMNS` "
                    "order by table_name, ordinal_position"
                )
                for name, group in frame.groupby("table_name", sort=False):
                    tables.setdefault(name, (dataset, list(group["column_name"])))
            self._tables = tables
        return self._tables

    def version(self) -> str:
        """BigQuery has no file to watch: the cache expires every 10 minutes."""
        now = dt.datetime.now(dt.UTC)
        return now.strftime("%Y-%m-%dT%H:") + f"{now.minute // 10}"

    def built_at(self) -> dt.datetime | None:
        found = self._catalog().get("creator_performance")
        if not found:
            return None
        return self.client.get_table(f"{self.project}.{found[0]}.creator_performance").modified

    def _quote(self, dataset: str, name: str) -> str:
        return f"`{self.project}.{dataset}.{name}`"


def bigquery_profile(target: str = "bigquery", profiles_dir: Path | None = None) -> dict:
    """The `target` output of profiles.yml (rendered: env_var() with its defaults), as a dict."""
    from sendwise.dbt import ProfileError, read_profile

    directory = Path(profiles_dir or os.environ.get("DBT_PROFILES_DIR") or PROJECT_ROOT)
    path = directory / "profiles.yml"
    if not path.exists():
        path = PROJECT_ROOT / "profiles.example.yml"
    try:
        outputs = read_profile(path).get("outputs") or {}
    except ProfileError as exc:
        raise WarehouseError(str(exc)) from exc
    if target not in outputs or outputs[target].get("type") != "bigquery":
        raise WarehouseError(f"{path} has no BigQuery output named {target!r}")
    return outputs[target]


def bigquery_credentials(profile: dict):
    """Credentials for the profile's method (None = application default credentials)."""
    method = profile.get("method", "oauth")
    if method == "oauth":
        return None
    if method == "service-account":
        from google.oauth2 import service_account

        return service_account.Credentials.from_service_account_file(profile["keyfile"])
    if method == "service-account-json":
        from google.oauth2 import service_account

        return service_account.Credentials.from_service_account_info(profile["keyfile_json"])
    if method == "oauth-secrets":
        from google.oauth2.credentials import Credentials

        return Credentials(token=profile["token"])
    raise WarehouseError(f"BigQuery method {method!r} is not supported by the dashboard")


def open_warehouse(target: str | None = None, db: str | None = None):
    """The warehouse of `target` ($SENDWISE_TARGET, default duckdb): the DuckDB file (db,
    $SENDWISE_DUCKDB_PATH, data/sendwise.duckdb) or the BigQuery output of that name."""
    target = target or os.environ.get("SENDWISE_TARGET") or "duckdb"
    if target == "duckdb":
        return DuckDBWarehouse(duckdb_path(db))
    profile = bigquery_profile(target)
    return BigQueryWarehouse(
        project=profile["project"],
        dataset=profile.get("dataset") or profile.get("schema"),
        location=profile.get("location"),
        credentials=bigquery_credentials(profile),
    )
