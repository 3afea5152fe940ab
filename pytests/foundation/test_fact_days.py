"""The base sends and chat rows are built by day (macros/sendwise/fact_days.sql): a daily build
rebuilds only the days it must, and its tables equal a full refresh of the same raw data. The fans'
chat messages (int_fan_chat_messages) are built by fan on top of them.

One small world is built at as_of - 1 day with the last day of raw rows held back; then the raw
tables change the ways real loads change them: the new day arrives, a late row lands in an old day,
an old day is withdrawn, a row inside the lookback is edited in place, a send's row id gets a more
complete copy in the new day (its old copy, 60 days back, must turn into the duplicate), an old chat
row is loaded twice, rows come without a time, a late row of a known fan lands 25 days back and a
page moves to another time zone. A send that was in the future at the first build (quarantined
future_sending_time) is in the past at the second; the lookback is set to 0 days so that only the
as_of rule can bring its day back. The daily build (`dbt run`) and a full refresh of a copy must give
the same base, staging, quarantine and chat-message tables; a change of a quarantine setting and of
the conversation gap rebuilds every day and every fan, and tables from before this way of building
are upgraded in place."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta

import duckdb
import pytest
from built_demo import seeded_database

from sendwise.dbt import load_seeds, run_dbt, vars_arg
from sendwise.demo import generate
from sendwise.paths import DEFAULT_END

pytestmark = pytest.mark.e2e

# built by day (with a fact_day and a fact_batch), then the quarantine tables (rebuilt whole)
BY_DAY = [
    "base_agency__mass_messages",
    "base_chat__chat_logs",
    "stg_agency__mass_messages",
    "stg_chat__chat_logs",
]
# built by fan from the chat staging (history_keys_delete): a fan's conversations and stages
BY_FAN = ["int_fan_chat_messages"]
MODELS = [*BY_DAY, "stg_agency__mass_messages_rejected", "stg_chat__chat_logs_rejected", *BY_FAN]
# what the models above read besides each other (rebuilt whole)
PARENTS = ["base_agency__pages", "stg_agency__pages"]
# a build's own stamps: the as_of each row's verdict was made at and the build that rebuilt its day
# (the daily build keeps the older ones on the days it did not rebuild)
STAMP_COLUMNS = {"rules_as_of", "fact_batch"}
AS_OF = datetime.fromisoformat(DEFAULT_END)
AS_OF_BEFORE = AS_OF - timedelta(days=1)


def build(db, target, as_of: datetime, full: bool) -> None:
    args = ["run", "--select", *PARENTS, *MODELS, "--vars", vars_arg({"as_of": str(as_of)}), "--quiet"]
    result = run_dbt(
        args + (["--full-refresh"] if full else []),
        duckdb_path=db,
        target_path=target,
        capture=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def schema_of(table: str) -> str:
    return "sendwise_intermediate" if table in BY_FAN else "sendwise_staging"


def table_rows(con, table: str) -> set[tuple]:
    columns = [
        c
        for (c,) in con.execute(
            "select column_name from information_schema.columns where table_schema = ?"
            " and table_name = ? order by column_name",
            [schema_of(table), table],
        ).fetchall()
        if c not in STAMP_COLUMNS
    ]
    select = ", ".join(f'"{c}"' for c in columns)
    rows = con.execute(f"select {select} from {schema_of(table)}.{table}").fetchall()
    assert len(rows) == len(set(rows)), f"{table}: repeated rows"
    return set(rows)


def assert_same_tables(daily_db, full_db) -> None:
    daily, full = duckdb.connect(str(daily_db), read_only=True), duckdb.connect(str(full_db), read_only=True)
    try:
        for table in MODELS:
            a, b = table_rows(daily, table), table_rows(full, table)
            assert a == b, (
                f"{table}: {len(a - b)} rows only in the daily build, {len(b - a)} only in the full one"
            )
    finally:
        daily.close()
        full.close()


def set_setting(db, name: str, value: str) -> None:
    con = duckdb.connect(str(db))
    con.execute(
        "update sendwise_seeds.settings_modeling set setting_value = ? where setting_name = ?", [value, name]
    )
    con.close()


def built_world(folder):
    """The world built at as_of - 1 day (the first build), with the new day's rows held back."""
    # both databases are named test.duckdb (in their own folders): one catalog name, so the
    # in-process dbt parses the project once per as_of for both (a parse is ~17 s of CPU)
    db = folder / "daily" / "test.duckdb"
    db.parent.mkdir()
    generate("small", 42, db, DEFAULT_END)
    load_seeds(db, folder / "target", seeded_database())
    set_setting(db, "fact_lookback_days", "0")
    con = duckdb.connect(str(db))
    for table, column in (("agency.mass_messages", "sending_time"), ("chat.chat_logs", "datetime")):
        name = table.split(".")[1]
        con.execute(
            f"create table main.new_{name} as select * from {table} where {column} > ?", [AS_OF_BEFORE]
        )
        con.execute(f"delete from {table} where {column} > ?", [AS_OF_BEFORE])
    # a send 12 hours after the first build's as_of, loaded early: future_sending_time at that build
    con.execute(
        "insert into agency.mass_messages select 'early_send', page_name, message, ?, price, sent_count,"
        " viewed_count, purchased_count, earnings, message_type from agency.mass_messages"
        " where message_type = 'ppv' order by row_id limit 1",
        [AS_OF_BEFORE + timedelta(hours=12)],
    )
    con.close()
    build(db, folder / "target", AS_OF_BEFORE, full=True)
    con = duckdb.connect(str(db), read_only=True)
    [(early,)] = con.execute(
        "select rejection_reason from sendwise_staging.base_agency__mass_messages where send_id = 'early_send'"
    ).fetchall()
    con.close()
    assert early == "future_sending_time"
    return folder, db


def test_daily_build_equals_a_full_refresh_and_rebuilds_only_its_days(tmp_path):
    folder, db = built_world(tmp_path)
    con = duckdb.connect(str(db))
    old_day = AS_OF - timedelta(days=40)
    # the new day
    con.execute("insert into agency.mass_messages select * from main.new_mass_messages")
    con.execute("insert into chat.chat_logs select * from main.new_chat_logs")
    # a late send and a late chat row, 30 days back
    late = AS_OF - timedelta(days=30, hours=-3)
    con.execute(
        "insert into agency.mass_messages select 'late_send', page_name, message, ?, price, sent_count,"
        " viewed_count, purchased_count, earnings, message_type from agency.mass_messages"
        " where message_type = 'ppv' order by row_id limit 1",
        [late],
    )
    con.execute(
        "insert into chat.chat_logs select chatter_name, model_name, 'a late line', chatter_message, price,"
        " purchased, fan_id, ?, tips, revenue from chat.chat_logs order by datetime, fan_id limit 1",
        [late],
    )
    # a day withdrawn
    con.execute("delete from agency.mass_messages where cast(sending_time as date) = ?", [old_day.date()])
    con.execute("delete from chat.chat_logs where cast(datetime as date) = ?", [old_day.date()])
    # a more complete copy of a 60-day-old send in the new day: the old copy becomes the duplicate
    [(copied_id,)] = con.execute(
        "select row_id from agency.mass_messages where cast(sending_time as date) = ? and message_type = 'ppv'"
        " order by row_id limit 1",
        [(AS_OF - timedelta(days=60)).date()],
    ).fetchall()
    con.execute(
        "insert into agency.mass_messages select row_id, page_name, message, ?, price, sent_count + 1000,"
        " viewed_count, purchased_count, earnings, message_type from agency.mass_messages where row_id = ?",
        [AS_OF - timedelta(hours=2), copied_id],
    )
    # an old chat row loaded twice, and rows without a time
    con.execute(
        "insert into chat.chat_logs select * from chat.chat_logs where cast(datetime as date) = ?"
        " order by fan_id, datetime limit 1",
        [(AS_OF - timedelta(days=20)).date()],
    )
    con.execute(
        "insert into chat.chat_logs select chatter_name, model_name, 'no time', chatter_message, price,"
        " purchased, fan_id, null, tips, revenue from chat.chat_logs order by datetime, fan_id limit 1"
    )
    con.execute(
        "insert into agency.mass_messages select 'timeless', page_name, message, null, price, sent_count,"
        " viewed_count, purchased_count, earnings, message_type from agency.mass_messages order by row_id limit 1"
    )
    # a late chat row of a fan the first build placed: the fan's conversations are numbered again
    con.execute(
        "insert into chat.chat_logs select chatter_name, model_name, 'a late line of a known fan',"
        " chatter_message, 0, false, fan_id, datetime + interval 1 minute, 0, 0 from chat.chat_logs"
        " where fan_id in (select fan_id from sendwise_intermediate.int_fan_chat_messages)"
        " and cast(datetime as date) = ? order by fan_id, datetime limit 1",
        [(AS_OF - timedelta(days=25)).date()],
    )
    # a page moves to another time zone: its fans' local times are read again
    [(moved_page,)] = con.execute("select min(page_name) from agency.pages").fetchall()
    con.execute(
        "update agency.pages set timezone = case when timezone = 'Asia/Tokyo' then 'Europe/London'"
        " else 'Asia/Tokyo' end where page_name = ?",
        [moved_page],
    )
    con.close()
    full_db = folder / "full" / "test.duckdb"
    full_db.parent.mkdir()
    shutil.copyfile(db, full_db)
    build(db, folder / "target", AS_OF, full=False)
    build(full_db, folder / "target_full", AS_OF, full=True)
    assert_same_tables(db, full_db)

    con = duckdb.connect(str(db), read_only=True)
    try:
        verdicts = dict(
            con.execute(
                "select send_id || '#' || row_id_copy_number, coalesce(rejection_reason, 'clean')"
                " from sendwise_staging.base_agency__mass_messages"
                " where send_id in ('early_send', 'late_send', 'timeless', ?)",
                [copied_id],
            ).fetchall()
        )
        assert verdicts == {
            "early_send#1": "clean",  # the as_of rule brought its day back, lookback 0
            "late_send#1": "clean",
            "timeless#1": "missing_sending_time",
            f"{copied_id}#1": "clean",
            f"{copied_id}#2": "duplicate_row_id",
        }
        [(old_copy_at,)] = con.execute(
            "select sent_at from sendwise_staging.base_agency__mass_messages where send_id = ? and row_id_copy_number = 2",
            [copied_id],
        ).fetchall()
        assert old_copy_at < AS_OF - timedelta(days=59)  # the old day was rebuilt for the row id's sake
        assert con.execute(
            "select count(*) from sendwise_staging.base_chat__chat_logs where fact_day = ?", [old_day.date()]
        ).fetchone() == (0,)
        assert con.execute(
            "select count(*) from sendwise_intermediate.int_fan_chat_messages"
            " where fan_message = 'a late line of a known fan'"
        ).fetchone() == (1,)
        assert con.execute(
            "select count(distinct messages.time_zone) = 1 and min(messages.time_zone) = min(pages.time_zone)"
            " from sendwise_intermediate.int_fan_chat_messages as messages"
            " inner join sendwise_staging.stg_agency__pages as pages on messages.page_key = pages.page_key"
            " where pages.page_name = ?",
            [moved_page],
        ).fetchone() == (True,)
        assert con.execute(
            "select count(*) from sendwise_staging.base_chat__chat_logs where rejection_reason = 'exact_duplicate'"
            " and fact_day = ?",
            [(AS_OF - timedelta(days=20)).date()],
        ).fetchone() == (1,)
        # what the daily build rebuilt: the changed days only, a small share of the days up to as_of
        # (the demo also sends a few rows dated after it: new days too). Sends: the new day (with the
        # early send), the late day, the copied row id's old day; chats: the new day, the late day,
        # the duplicated day, the known fan's late day (the withdrawn day has no rows). The staging
        # follows its base model by day: it rewrote the days the daily build rebuilt (their fact_batch).
        [(daily_batch,)] = con.execute(
            "select fact_batch from sendwise_staging.base_agency__mass_messages where send_id = 'late_send'"
        ).fetchall()
        for table in BY_DAY:
            rebuilt, days = con.execute(
                f"select count(distinct fact_day) filter (where fact_batch = ?), count(distinct fact_day)"
                f" from sendwise_staging.{table} where fact_day < ?",
                [daily_batch, AS_OF.date()],
            ).fetchone()
            assert 1 <= rebuilt <= 4 and rebuilt < days / 10, (table, rebuilt, days)
    finally:
        con.close()

    # a quarantine bound changes: every day is judged again, as a full refresh judges it
    # (and the conversation gap: every fan's conversations are cut again)
    for path in (db, full_db):
        set_setting(path, "raw_max_price", "20")
        set_setting(path, "conversation_gap_hours", "2")
    build(db, folder / "target", AS_OF, full=False)
    build(full_db, folder / "target_full", AS_OF, full=True)
    assert_same_tables(db, full_db)
    con = duckdb.connect(str(db), read_only=True)
    try:
        [(priced_out,)] = con.execute(
            "select count(*) from sendwise_staging.base_agency__mass_messages"
            " where rejection_reason = 'implausible_price' and fact_day < ?",
            [(AS_OF - timedelta(days=30)).date()],
        ).fetchall()
        assert priced_out > 0  # old days were judged again under the new bound
    finally:
        con.close()

    # a table from before the facts were built by day (without their new columns) is upgraded in place
    con = duckdb.connect(str(db))
    for table in ("base_agency__mass_messages", "base_chat__chat_logs"):
        for column in ("fact_day", "rules_as_of", "rules_key", "fact_batch"):
            con.execute(f"alter table sendwise_staging.{table} drop column {column}")
    for table in ("stg_agency__mass_messages", "stg_chat__chat_logs"):
        for column in ("fact_day", "fact_batch", "code_key"):
            con.execute(f"alter table sendwise_staging.{table} drop column {column}")
    for column in ("time_zone", "fact_day", "fact_batch", "rules_key"):
        con.execute(f"alter table sendwise_intermediate.int_fan_chat_messages drop column {column}")
    con.close()
    build(db, folder / "target", AS_OF, full=False)
    assert_same_tables(db, full_db)
