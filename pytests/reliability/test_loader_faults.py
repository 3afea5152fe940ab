"""`sendwise load` and the other commands under bad input: one line on stderr, exit code 2, nothing
written; for every source. Runs the real CLI entry point in-process on files written from the built
test database (a few rows per source)."""

from __future__ import annotations

import gzip
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from sendwise.cli import main
from sendwise.contracts import SOURCES

ALL_SOURCES = sorted(SOURCES)


@pytest.fixture(scope="module")
def samples(built_db, tmp_path_factory) -> dict[str, pd.DataFrame]:
    """Three clean-looking raw rows per source, read from the built test database."""
    con = duckdb.connect(str(built_db), read_only=True)
    try:
        return {name: con.sql(f"select * from {name} limit 3").df() for name in ALL_SOURCES}
    finally:
        con.close()


@pytest.fixture(scope="module")
def seeded_template(samples, tmp_path_factory) -> Path:
    """A database holding the three sample rows of every source, loaded once per module."""
    folder = tmp_path_factory.mktemp("seeded")
    db = folder / "raw.duckdb"
    for name, frame in samples.items():
        path = folder / f"{name}.parquet"
        frame.to_parquet(path)
        assert main(["load", "--source", name, "--file", str(path), "--db", str(db)]) == 0
    return db


@pytest.fixture
def seeded_db(tmp_path, seeded_template) -> Path:
    """A private copy of the seeded database."""
    db = tmp_path / "raw.duckdb"
    shutil.copyfile(seeded_template, db)
    return db


def counts(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {name: con.sql(f"select count(*) from {name}").fetchone()[0] for name in ALL_SOURCES}
    finally:
        con.close()


def refused(capsys, argv, needle: str) -> None:
    """The command exits 2 with one line on stderr that contains `needle`."""
    code = main(argv)
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert len(err.splitlines()) == 1 and needle in err, err


@pytest.mark.parametrize("source", ALL_SOURCES)
def test_good_csv_appends_and_prints_rows_before_and_after(tmp_path, samples, seeded_db, capsys, source):
    path = tmp_path / "more.csv"
    samples[source].to_csv(path, index=False)
    assert (
        main(["load", "--source", source, "--file", str(path), "--db", str(seeded_db), "--mode", "append"])
        == 0
    )
    assert "3 rows before, 6 after" in capsys.readouterr().out
    assert counts(seeded_db)[source] == 6


@pytest.mark.parametrize("source", ALL_SOURCES)
def test_header_only_replace_is_refused_unless_allowed(tmp_path, samples, seeded_db, capsys, source):
    path = tmp_path / "empty.csv"
    samples[source].head(0).to_csv(path, index=False)
    before = counts(seeded_db)
    refused(capsys, ["load", "--source", source, "--file", str(path), "--db", str(seeded_db)], "no data rows")
    assert counts(seeded_db) == before
    assert (
        main(["load", "--source", source, "--file", str(path), "--db", str(seeded_db), "--allow-empty"]) == 0
    )
    assert counts(seeded_db)[source] == 0


@pytest.mark.parametrize("source", ALL_SOURCES)
def test_file_named_as_the_other_kind_is_refused(tmp_path, samples, seeded_db, capsys, source):
    csv_named_parquet = tmp_path / "x.parquet"
    samples[source].to_csv(csv_named_parquet, index=False)
    parquet_named_csv = tmp_path / "x.csv"
    samples[source].to_parquet(parquet_named_csv)
    before = counts(seeded_db)
    refused(
        capsys,
        ["load", "--source", source, "--file", str(csv_named_parquet), "--db", str(seeded_db)],
        "not a Parquet file",
    )
    refused(
        capsys,
        ["load", "--source", source, "--file", str(parquet_named_csv), "--db", str(seeded_db)],
        "a Parquet file named",
    )
    assert counts(seeded_db) == before


def chat_csv(tmp_path: Path, samples, **column_values) -> Path:
    frame = samples["chat.chat_logs"].head(1).copy()
    for column, value in column_values.items():
        frame[column] = [value]
    path = tmp_path / "chat.csv"
    frame.to_csv(path, index=False)
    return path


def test_a_header_naming_a_column_twice_is_named(tmp_path, samples, capsys):
    """Two 'price' columns (an export that repeats a column): DuckDB would read the second as
    price_1 and the error would be an unexpected column price_1; the command names the repetition
    and its positions in one line, and writes nothing."""
    db = tmp_path / "raw.duckdb"
    frame = samples["chat.chat_logs"].head(2).copy()
    frame.insert(len(frame.columns), "price", frame["price"], allow_duplicates=True)
    path = tmp_path / "twice.csv"
    frame.to_csv(path, index=False)
    assert main(["load", "--source", "chat.chat_logs", "--file", str(path), "--db", str(db)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    position = list(frame.columns).index("price") + 1
    assert err == [
        "load refused, nothing written: twice.csv: the header names price twice"
        f" (columns {position} and {len(frame.columns)}); keep one"
    ], err
    assert not db.exists()


def test_export_style_column_names_are_read_as_the_contract_names(tmp_path, samples, capsys):
    """'Chatter Message', 'FAN-ID ' and the like: case, spaces and punctuation aside, each column
    is its contract column; the command says which it read under another name."""
    db = tmp_path / "raw.duckdb"
    frame = samples["chat.chat_logs"].copy()
    frame = frame.rename(
        columns={"chatter_message": "Chatter Message", "fan_id": " FAN-ID ", "price": "PRICE"}
    )
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False)
    assert main(["load", "--source", "chat.chat_logs", "--file", str(path), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert (
        "'Chatter Message' as chatter_message" in out and "'FAN-ID' as fan_id" in out
    )  # DuckDB trims the spaces
    assert "PRICE" not in out  # a column that differs only in case is not worth a line
    con = duckdb.connect(str(db), read_only=True)
    loaded = con.sql("select chatter_message, fan_id, price from chat.chat_logs order by all").fetchall()
    con.close()
    expected = frame[["Chatter Message", " FAN-ID ", "PRICE"]].itertuples(index=False, name=None)
    assert loaded == sorted(expected)


def test_pickled_dataframe_in_the_production_form_is_loaded(tmp_path, samples, capsys):
    """The production chat log is a pickled pandas DataFrame: loaded like a Parquet file, with a
    named (datetime) index read as a column, a zone-aware datetime converted to naive UTC, whole-number
    fan ids kept as text and numbers kept as text checked and cast."""
    db = tmp_path / "raw.duckdb"
    frame = samples["chat.chat_logs"].copy()
    frame["datetime"] = pd.to_datetime(["2026-11-10 23:30:00", "2026-11-11 08:00:00", "2026-11-11 09:15:00"])
    frame["datetime"] = frame["datetime"].dt.tz_localize("America/New_York")
    frame["fan_id"] = [101, 102, 103]
    frame["tips"] = ["0", "2.5", "0"]
    path = tmp_path / "HOMEWORK_LOGS.pkl"
    frame.set_index("datetime").to_pickle(path)
    assert main(["load", "--source", "chat.chat_logs", "--file", str(path), "--db", str(db)]) == 0
    assert "loaded 3 rows" in capsys.readouterr().out
    con = duckdb.connect(str(db), read_only=True)
    rows = con.sql(
        "select cast(datetime as varchar), fan_id, tips from chat.chat_logs order by datetime"
    ).fetchall()
    con.close()
    assert rows == [
        ("2026-11-11 04:30:00", "101", 0.0),
        ("2026-11-11 13:00:00", "102", 2.5),
        ("2026-11-11 14:15:00", "103", 0.0),
    ]


def test_spreadsheet_marks_in_the_vault_matrix_are_read_as_yes_and_no(tmp_path, samples):
    """A vault matrix kept in a spreadsheet marks cells with x / a check mark and - / a cross: read
    as true and false; an empty cell stays null (not available); other text is still refused."""
    db = tmp_path / "raw.duckdb"
    frame = samples["agency.vault_matrix"].head(1).copy()
    marks = {"anal": "x", "bj": "✓", "bg": " X ", "bgg": "-", "gg": "✗", "solo": "", "toy": "yes"}
    for column, mark in marks.items():
        frame[column] = [mark]
    path = tmp_path / "vault.csv"
    frame.to_csv(path, index=False)
    assert main(["load", "--source", "agency.vault_matrix", "--file", str(path), "--db", str(db)]) == 0
    con = duckdb.connect(str(db), read_only=True)
    row = con.sql(f"select {', '.join(marks)} from agency.vault_matrix").fetchone()
    con.close()
    assert row == (True, True, True, False, False, None, True)
    frame["anal"] = ["maybe"]
    frame.to_csv(path, index=False)
    assert main(["load", "--source", "agency.vault_matrix", "--file", str(path), "--db", str(db)]) == 2


def test_vault_matrix_with_the_agencys_own_categories(tmp_path, samples, capsys):
    """An agency's vault has the categories it keeps: fewer than the declared ones, one of its own
    ("Latex Suit") and a notes column. The categories load (the new one under its normalised name,
    marks read as yes/no); the notes column is refused in one line naming it, nothing written, until
    --ignore-extra-columns drops it. Appending a file with yet another category adds that column."""
    db = tmp_path / "raw.duckdb"
    frame = samples["agency.vault_matrix"].head(2)[["page_name", "solo", "toy"]].copy()
    frame["Latex Suit"] = ["x", "-"]
    frame["notes"] = ["top seller", "new"]
    path = tmp_path / "vault.csv"
    frame.to_csv(path, index=False)
    assert main(["load", "--source", "agency.vault_matrix", "--file", str(path), "--db", str(db)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "notes" in err[0] and "--ignore-extra-columns drops it" in err[0], err
    assert "latex_suit" not in err[0]
    assert not db.exists()
    args = ["load", "--source", "agency.vault_matrix", "--file", str(path), "--db", str(db)]
    assert main([*args, "--ignore-extra-columns"]) == 0
    con = duckdb.connect(str(db), read_only=True)
    columns = [r[0] for r in con.sql("describe agency.vault_matrix").fetchall()]
    flags = con.sql("select latex_suit from agency.vault_matrix order by page_name").fetchall()
    con.close()
    assert columns == ["page_name", "solo", "toy", "latex_suit"]
    assert sorted(flags) == [(False,), (True,)]
    more = frame.drop(columns=["notes", "Latex Suit"]).assign(cosplay_plus=["x", "x"])
    more.to_csv(path, index=False)
    assert main([*args, "--mode", "append"]) == 0
    con = duckdb.connect(str(db), read_only=True)
    rows = con.sql(
        "select count(*), count(latex_suit), count_if(cosplay_plus) from agency.vault_matrix"
    ).fetchone()
    con.close()
    assert rows == (4, 2, 2)


def test_utc_offset_is_converted_to_utc(tmp_path, samples, capsys):
    db = tmp_path / "raw.duckdb"
    path = chat_csv(tmp_path, samples, datetime="2026-11-10T23:30:00-05:00")
    assert main(["load", "--source", "chat.chat_logs", "--file", str(path), "--db", str(db)]) == 0
    con = duckdb.connect(str(db), read_only=True)
    assert str(con.sql("select datetime from chat.chat_logs").fetchone()[0]) == "2026-11-11 04:30:00"
    con.close()


@pytest.mark.parametrize(
    ("case", "needle"),
    [
        (
            "bad_timestamp",
            "datetime (expected TIMESTAMP; e.g. row 1 'yesterday'; write them as 2026-05-19 03:04:33",
        ),
        ("fractional_integer", "sent_count (expected a whole number; e.g. row 1 '12.5')"),
        ("struct_in_text", "the Parquet column is STRUCT"),
        ("utf16", "UTF-16"),
        ("latin1", "not valid UTF-8"),
        ("truncated_parquet", "truncated or corrupt Parquet"),
        ("missing_file", "no such file"),
        ("unsupported_kind", "unsupported file type"),
        ("short_record", "line 3 has 7 fields where the header has 10"),
        ("long_record", "line 4 has 11 fields where the header has 10"),
        ("open_quote", "the record that starts on line 3 opens a quote that is never closed"),
        ("empty_file", "empty file (no header, no rows)"),
        ("broken_gzip", "not a complete gzip file"),
        ("same_column_twice", "columns 'fan_id' and 'Fan ID' both name fan_id"),
        ("latin1_line", "not valid UTF-8 text (line 4)"),
        ("pickled_series", "holds a Series, not a pandas DataFrame"),
        ("truncated_pickle", "not a readable pickle (UnpicklingError"),
        ("csv_named_pkl", "not a pickle of a DataFrame (a CSV? name it .csv)"),
        ("pickled_text_price", "price (expected DOUBLE; e.g. row 1 'N/A')"),
    ],
)
def test_bad_file_is_one_line_and_nothing_is_written(tmp_path, samples, capsys, case, needle):
    db = tmp_path / "raw.duckdb"
    source = "chat.chat_logs"
    if case == "bad_timestamp":
        path = chat_csv(tmp_path, samples, datetime="yesterday")
    elif case == "fractional_integer":
        source = "agency.mass_messages"
        frame = samples[source].head(1).astype({"sent_count": "float"})
        frame["sent_count"] = [12.5]
        path = tmp_path / "sends.csv"
        frame.to_csv(path, index=False)
    elif case == "struct_in_text":
        frame = samples[source].head(1).copy()
        frame["fan_message"] = [{"a": 1}]
        path = tmp_path / "struct.parquet"
        frame.to_parquet(path)
    elif case == "utf16":
        path = tmp_path / "u16.csv"
        path.write_bytes(chat_csv(tmp_path, samples).read_text().encode("utf-16"))
    elif case == "latin1":
        path = chat_csv(tmp_path, samples, fan_message="café")
        path.write_bytes(path.read_text().encode("latin-1"))
    elif case == "truncated_parquet":
        full = tmp_path / "full.parquet"
        samples[source].to_parquet(full)
        path = tmp_path / "cut.parquet"
        path.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    elif case == "missing_file":
        path = tmp_path / "nope.csv"
    elif case in {"short_record", "long_record", "open_quote", "latin1_line"}:
        # three good records, the first with a quoted field (so the file uses quotes), then one spoilt
        path = tmp_path / "chat.csv"
        frame = samples[source].copy()
        frame.loc[0, "fan_message"] = "hi, you"
        frame.to_csv(path, index=False)
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        assert len(lines) == 4, "each sample record on one line"
        if case == "short_record":  # line 3 loses its last three fields
            lines[2] = lines[2].rstrip("\n").rsplit(",", 3)[0] + "\n"
        elif case == "long_record":  # line 4 gains a field
            lines[3] = lines[3].rstrip("\n") + ",extra\n"
        elif case == "open_quote":  # line 3 opens a quote it never closes
            lines[2] = '"' + lines[2]
        path.write_bytes("".join(lines).encode("utf-8"))
        if case == "latin1_line":
            path.write_bytes(
                "".join(lines[:3]).encode("utf-8") + lines[3].replace(",", ",é", 1).encode("latin-1")
            )
    elif case in {"pickled_series", "truncated_pickle", "csv_named_pkl", "pickled_text_price"}:
        frame = samples[source].copy()
        path = tmp_path / "logs.pkl"
        if case == "pickled_series":
            frame["fan_id"].to_pickle(path)
        elif case == "truncated_pickle":
            frame.to_pickle(path)
            path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
        elif case == "csv_named_pkl":
            frame.to_csv(path, index=False)
        else:  # a text column where the contract has a number: checked value by value, as a CSV's
            frame["price"] = ["N/A", *frame["price"].astype(str).iloc[1:]]
            frame.to_pickle(path)
    elif case == "empty_file":
        path = tmp_path / "empty.csv"
        path.write_bytes(b"")
    elif case == "broken_gzip":
        path = tmp_path / "chat.csv.gz"
        path.write_bytes(gzip.compress(chat_csv(tmp_path, samples).read_bytes())[:40])
    elif case == "same_column_twice":
        frame = samples[source].head(1).copy()
        frame["Fan ID"] = frame["fan_id"]
        path = tmp_path / "twice.csv"
        frame.to_csv(path, index=False)
    else:
        path = tmp_path / "data.xlsx"
        path.write_bytes(b"PK")
    refused(capsys, ["load", "--source", source, "--file", str(path), "--db", str(db)], needle)
    assert not db.exists()  # nothing written: not even an empty database


@pytest.mark.parametrize(
    ("make_db", "needle"),
    [
        (lambda tmp: tmp / "folder", "is a folder"),
        (lambda tmp: tmp / "out.csv", "names a data file"),
        (lambda tmp: tmp / "text.duckdb", "is not a DuckDB database"),
    ],
    ids=["folder", "csv_name", "not_duckdb"],
)
def test_db_that_is_not_a_duckdb_database_is_refused(tmp_path, samples, capsys, make_db, needle):
    (tmp_path / "folder").mkdir()
    (tmp_path / "text.duckdb").write_text("hello, this is not a database\n")
    path = chat_csv(tmp_path, samples)
    db = make_db(tmp_path)
    refused(capsys, ["load", "--source", "chat.chat_logs", "--file", str(path), "--db", str(db)], needle)
    assert not (tmp_path / "out.csv").exists()


def test_relative_db_resolves_from_the_current_directory(tmp_path, samples, monkeypatch):
    chat_csv(tmp_path, samples)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SENDWISE_DUCKDB_PATH", raising=False)
    assert main(["load", "--source", "chat.chat_logs", "--file", "chat.csv", "--db", "mine.duckdb"]) == 0
    assert (tmp_path / "mine.duckdb").exists()
    assert main(["load", "--source", "chat.chat_logs", "--file", "chat.csv"]) == 0  # the default
    assert (tmp_path / "data" / "sendwise.duckdb").exists()


@pytest.mark.parametrize("command", ["load", "query", "where", "prepare-db"])
def test_held_database_names_the_process(tmp_path, samples, seeded_db, capsys, command):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(seeded_db)!r}); print('held', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        argv = {
            "load": [
                "load",
                "--source",
                "chat.chat_logs",
                "--file",
                str(chat_csv(tmp_path, samples)),
                "--db",
                str(seeded_db),
            ],
            "query": ["query", "--db", str(seeded_db), "select 1"],
            "where": ["where", "--db", str(seeded_db)],
            "prepare-db": ["prepare-db", "--db", str(seeded_db)],
        }[command]
        refused(capsys, argv, f"the database is in use by process {holder.pid}; retry when it ends")
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["query", "--db", "{db}", ""], "no query given"),
        (["query", "--db", "{db}", "selec 1"], 'Parser Error: syntax error at or near "selec"'),
        (["query", "--db", "{db}", "select * from nope"], "Table with name nope does not exist"),
        (["query", "--db", "{db}", "delete from chat.chat_logs"], "read-only mode"),
        (["query", "--db", "{tmp}/absent.duckdb", "select 1"], "no such database"),
        (["query", "--db", "{tmp}/empty.duckdb", "select 1"], "is an empty file, not a DuckDB database"),
        (["where", "--db", "{tmp}/absent.duckdb"], "no database at"),
        (["fan-report", "--db", "{db}", "--out", "{tmp}/a_file/report"], "a_file is a file, not a folder"),
        (["fan-report", "--db", "{db}", "--out", "{tmp}/report"], "fan_cluster_metrics (*_marts)"),
        (["export-schedule", "--db", "{db}", "--out", "{tmp}/a_file"], "a_file is a file, not a folder"),
        (["export-schedule", "--db", "{tmp}/empty.duckdb", "--out", "{tmp}/s"], "is an empty file"),
        (["evaluate-fans", "--seeds", "1", "--out", "{tmp}/a_file/f.json"], "a_file is a file, not a folder"),
        (["evaluate-models", "--seeds", "1", "--workdir", "{tmp}/a_file"], "--workdir"),
        (["evaluate-ranking", "--seeds", "1", "--out", "{tmp}"], "is a folder; give a file name"),
        (["demo-data", "--scale", "small", "--db", "{tmp}/empty.duckdb"], "is an empty file"),
        (
            ["metrics", "--metrics", "revenue", "--csv", "{tmp}/a_file/m.csv"],
            "a_file is a file, not a folder",
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else "-".join(value[:1] + value[-1:]),
)
def test_command_mistake_is_one_line_and_nothing_is_written(tmp_path, seeded_db, capsys, argv, needle):
    """A command given a mistake (no query, bad SQL, a write, a missing or empty --db, an --out a file
    stands in the way of, a database without the marts) answers in one line with exit 2 and writes
    nothing; the evaluations check --out and --workdir before generating any world."""
    (tmp_path / "a_file").write_text("in the way\n")
    (tmp_path / "empty.duckdb").write_bytes(b"")
    before = sorted(p.name for p in tmp_path.iterdir())
    raw_before = counts(seeded_db)
    refused(capsys, [a.format(db=seeded_db, tmp=tmp_path) for a in argv], needle)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert counts(seeded_db) == raw_before
