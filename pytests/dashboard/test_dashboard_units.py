"""Pure parts of the dashboard: formatting, the headline figures, the calendar, SQL building, the
similar-fans macro rendered outside dbt, the BigQuery profile, and the command's refusals."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from sendwise.dashboard import marts, queries, ui
from sendwise.dashboard.similar import MacroError, similar_fans_sql, sql_literal
from sendwise.dashboard.warehouse import WarehouseError, bigquery_profile


def test_money_and_percent_formats():
    assert ui.money(1234.5) == "$1,234.50"
    assert ui.money(-3) == "-$3.00"
    assert ui.money(None) == "" and ui.money(float("nan")) == ""
    assert ui.pct(0.1234) == "12.3 %" and ui.pct(0.09587, 2) == "9.59 %"
    assert ui.pct(None) == "n/a"
    assert ui.pct(0.0874, sign=True) == "+8.7 %" and ui.pct(-0.016048, sign=True) == "-1.6 %"
    assert ui.pct(None, sign=True) == "n/a"


def test_headline_window_and_figures_by_hand():
    daily = pd.DataFrame(
        {
            "local_date": pd.to_datetime(["2026-10-17", "2026-10-18", "2026-11-14", "2026-11-15"]),
            "sends": [100, 10, 30, 999],
            "revenue": [1e6, 200.0, 400.0, 1e6],
            "ppv_purchases": [50, 3, 1, 99],
            "ppv_recipients": [1000, 100, 60, 999],
        }
    )
    start, end = queries.headline_window(pd.Timestamp("2026-11-15 00:00:00"))
    assert (start, end) == (dt.date(2026, 10, 18), dt.date(2026, 11, 15))
    # only 10-18 and 11-14 are inside [10-18, 11-15): sends 40, revenue 600, purchases 4 of 160 recipients
    got = queries.headline(daily, start, end)
    assert got == {"sends": 40.0, "revenue": 600.0, "revenue_per_send": 15.0, "purchase_rate": 0.025}
    empty = queries.headline(daily, dt.date(2020, 1, 1), dt.date(2020, 1, 2))
    assert empty["revenue_per_send"] is None and empty["purchase_rate"] is None


def test_eros_headline_pools_slots_and_ignores_unscored_pages():
    eros = pd.DataFrame(
        {"eros_score": [80.0, 40.0, None], "planned_slots": [10, 30, 0], "executed_slots": [9, 15, 0]}
    )
    # mean of 80 and 40; (9 + 15) / (10 + 30) = 0.6 (not the mean of 0.9 and 0.5)
    assert queries.eros_headline(eros) == {"eros_score": 60.0, "plan_execution_rate": 0.6}
    assert queries.eros_headline(eros.assign(planned_slots=0))["plan_execution_rate"] is None


def test_calendar_orders_days_and_marks_violations():
    sends = pd.DataFrame(
        {
            "plan_date": pd.to_datetime(["2026-11-17", "2026-11-16", "2026-11-16", "2026-11-16"]),
            "day_name": ["Tuesday", "Monday", "Monday", "Monday"],
            # Monday's third send is after midnight (a window past midnight): last in its plan day
            "send_local_at": pd.to_datetime(
                ["2026-11-17 09:00", "2026-11-16 20:00", "2026-11-17 01:30", "2026-11-16 08:00"]
            ),
            "send_time_local": ["09:00", "20:00", "01:30", "08:00"],
            "slot_number": [1, 2, 3, 1],
            "message_type": ["PPV"] * 4,
            "price": [10.0, 12.0, 9.0, 15.0],
            "expected_revenue": [100.0, 200.5, 50.0, 300.0],
            "confidence": [0.5, None, 0.75, 0.25],
            "caption_text": ["a very long caption that goes on and on and on", "short", "late", None],
        }
    )
    violations = pd.DataFrame(
        {
            "plan_date": pd.to_datetime(["2026-11-16"]),
            "slot_number": [2],
            "tier": [2],
            "rule_id": ["low_confidence"],
        }
    )
    calendar = queries.schedule_calendar(sends, violations, caption_chars=10)
    assert list(calendar.columns) == ["Mon 11-16", "Tue 11-17"]
    assert list(calendar["Mon 11-16"]) == [
        "08:00 $15.00 → $300.00 (0.25) ",
        "20:00 $12.00 → $200.50 ⚠ tier 2 low_confidence short",
        "01:30 +1d $9.00 → $50.00 (0.75) late",
    ]
    assert list(calendar["Tue 11-17"]) == ["09:00 $10.00 → $100.00 (0.50) a very lo…", "", ""]


def test_hour_window_names_the_last_hour_and_wraps_midnight():
    assert queries.hour_window(21, 23) == "21:00-23:59"  # 3 hours: 21, 22, 23
    assert queries.hour_window(22, 0) == "22:00-00:59"  # 22, 23, 0
    assert queries.hour_window(23, 1) == "23:00-01:59"  # 3 hours across midnight: 23, 0, 1
    assert queries.hour_window(7, 7) == "07:00-07:59"  # one hour
    assert queries.hour_window(None, 3) == "" and queries.hour_window(2, float("nan")) == ""
    with pytest.raises(ValueError):
        queries.hour_window(24, 2)


def test_message_windows_of_the_chosen_pairs_with_the_creators_window_as_wide():
    windows = pd.DataFrame(
        {
            "fan_model_key": ["a|p", "b|p", "c|q"],
            "page_key": ["p", "p", "q"],
            "segment": ["bought", "never_bought", "bought"],
            "fit_messages": [40, 2, 9],
            # a: 3 hours 23-1 (wraps); b: 3 hours 9-11; c: 1 hour
            "window_start_hour": [23, 9, 5],
            "window_end_hour": [1, 11, 5],
            "window_rate": [0.5, 0.25, 0.75],
            "creator_window_start_hour": [22, 20, 5],
            "creator_window_rate": [0.4, 0.2, 0.7],
        }
    )
    pairs = pd.DataFrame({"fan_model_key": ["a|p", "b|p", "z|p"], "revenue": [10.0, 90.0, 500.0]})
    table = queries.message_windows(windows, pairs)
    # pairs' windows only (z has none, c is not among the pairs), highest revenue first
    assert list(table["fan_model_key"]) == ["b|p", "a|p"]
    assert list(table["fan_window"]) == ["09:00-11:59", "23:00-01:59"]
    # the creator's window is 3 hours like the fan's: 20-22, and 22-0 across midnight
    assert list(table["creator_window"]) == ["20:00-22:59", "22:00-00:59"]
    assert list(table["window_rate"]) == [0.25, 0.5] and list(table["fit_messages"]) == [2, 40]
    one_hour = queries.message_windows(windows, pd.DataFrame({"fan_model_key": ["c|q"], "revenue": [1.0]}))
    assert list(one_hour[["fan_window", "creator_window"]].iloc[0]) == ["05:00-05:59", "05:00-05:59"]
    assert ui.fan_window(table.iloc[0]) == (
        "**b|p**: message between **09:00-11:59** (page-local), response rate 25.0 %, fitted on 2 of the "
        "pair's messages (never bought segment); the creator's window: 20:00-22:59 (20.0 %)."
    )


def test_introductions_of_one_page_by_value():
    cross_sell = pd.DataFrame(
        {
            "fan_model_key": ["f1|p", "f2|p", "f1|p", "f3|q"],
            "page_key": ["p", "p", "p", "q"],
            "candidate_page_key": ["q", "q", "r", "p"],
            "value_per_introduction": [50.0, 80.0, 50.0, 99.0],
            "candidate_rank": [2, 1, 1, 1],
        }
    )
    page = queries.introductions(cross_sell, "p")
    # 80 first; the two 50s by fan, then by the fan's rank
    assert list(zip(page["fan_model_key"], page["candidate_page_key"], strict=True)) == [
        ("f2|p", "q"),
        ("f1|p", "r"),
        ("f1|p", "q"),
    ]
    assert list(queries.introductions(cross_sell)["value_per_introduction"]) == [99.0, 80.0, 50.0, 50.0]
    assert queries.introductions(cross_sell, "none").empty


def _timing(**changes) -> pd.DataFrame:
    rows = pd.DataFrame(
        {
            "comparison": ["fan_window_vs_creator_window", "fan_window_vs_outside"],
            "pairs": [33, 33],
            "messages_a": [160.0, 160.0],
            "responses_a": [120.0, 120.0],
            "rate_a": [0.75, 0.75],
            "messages_b": [200.0, 800.0],
            "responses_b": [140.0, 500.0],
            "rate_b": [0.7, 0.625],
            "lift": [0.75 / 0.7 - 1, 0.2],
            "lift_ci_low": [-0.05, 0.08],
            "lift_ci_high": [0.2, 0.33],
        }
    )
    return rows.assign(**changes)


def test_timing_backtest_in_words():
    text = ui.timing_backtest(_timing(), 14)
    assert text.startswith("Back-test on the held-out last 14 days (")
    assert "33 pairs): fans answered 75.0 % of the 160 messages sent inside their window" in text
    # outside first, whatever the rows' order; 0.75 / 0.7 - 1 = 7.14 %
    assert (
        "; vs 62.5 % of 800 outside it: lift +20.0 % (95 % interval +8.0 % to +33.0 %); "
        "vs 70.0 % of 200 inside the creator's window: lift +7.1 % (95 % interval -5.0 % to +20.0 %)."
    ) in text
    no_interval = ui.timing_backtest(_timing(lift_ci_low=None, lift_ci_high=None))
    assert no_interval.startswith("Back-test on the held-out days")
    assert "lift +20.0 % (no interval: no response in one group)" in no_interval
    nothing = "Back-test on the held-out days: no held-out message inside a fan's window yet."
    assert ui.timing_backtest(_timing(messages_a=None)) == nothing
    assert ui.timing_backtest(_timing().iloc[0:0]) == nothing


def test_select_sql_maps_renamed_columns():
    sql = marts.select_sql('"s"."t"', {"page_key": "page_key", "revenue": "net_revenue"}, "x > 0", "page_key")
    assert (
        sql
        == 'select\n    page_key,\n    net_revenue as revenue\nfrom "s"."t"\nwhere x > 0\norder by page_key'
    )
    with pytest.raises(KeyError):
        marts.columns("eros_score", ["no_such_column"])


def test_sql_literals_escape_per_engine():
    assert sql_literal("it's", "duckdb") == "'it''s'"
    assert sql_literal("it's \\", "bigquery") == "'it\\'s \\\\'"


def test_similar_fans_macro_renders_per_engine_and_refuses_bad_arguments():
    def relation(name):
        return f"rel_{name}"

    duck = similar_fans_sql("duckdb", relation, "f|m", k=3, method="A")
    assert "list_cosine_similarity(candidates.embedding, target_pair.embedding)" in duck
    assert "from rel_fan_embeddings as candidates" in duck and "similarity_rank <= 3" in duck
    big = similar_fans_sql("bigquery", relation, "f|m")
    assert "unnest(candidates.embedding)" in big and "list_cosine_similarity" not in big
    with pytest.raises(MacroError):
        similar_fans_sql("duckdb", relation, "f|m", method="C")
    with pytest.raises(MacroError):
        similar_fans_sql("duckdb", lambda name: None, "f|m")


def test_bigquery_profile_renders_env_vars(tmp_path, monkeypatch):
    (tmp_path / "profiles.yml").write_text(
        "sendwise:\n  outputs:\n    bigquery:\n      type: bigquery\n      method: oauth\n"
        "      project: \"{{ env_var('P_TEST', 'fallback') }}\"\n      dataset: d\n"
        "    duckdb:\n      type: duckdb\n"
    )
    monkeypatch.setenv("P_TEST", "my-project")
    assert bigquery_profile("bigquery", tmp_path)["project"] == "my-project"
    with pytest.raises(WarehouseError):
        bigquery_profile("duckdb", tmp_path)


def test_dashboard_command_refuses_a_missing_database(tmp_path, capsys):
    from sendwise.cli import main

    assert main(["dashboard", "--db", str(tmp_path / "none.duckdb")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"dashboard: no database at {tmp_path / 'none.duckdb'}: run `make demo` first"]


def test_metrics_command_refuses_a_bad_date(built_db, capsys):
    from sendwise.cli import main

    assert main(["metrics", "--db", str(built_db), "--metrics", "revenue", "--start-time", "last week"]) == 2
    assert "--start-time must be a date" in capsys.readouterr().err


def test_bigquery_relations_are_project_dataset_table():
    from sendwise.dashboard.warehouse import BigQueryWarehouse

    warehouse = BigQueryWarehouse(project="p", dataset="d", _tables={"eros_score": ("d_marts", ["page_key"])})
    assert warehouse.relation("eros_score") == "`p.d_marts.eros_score`"
    assert warehouse.columns("eros_score") == ["page_key"]
    assert warehouse.relation("ops_alerts") is None and warehouse.columns("ops_alerts") == []


def test_duckdb_relations_prefer_marts_and_ignore_raw_schemas(built_db):
    from sendwise.dashboard.warehouse import DuckDBWarehouse

    warehouse = DuckDBWarehouse(built_db)
    assert warehouse.relation("weekly_template_7d") == '"sendwise_marts"."weekly_template_7d"'
    assert warehouse.relation("rejected_rows") == '"sendwise_ops"."rejected_rows"'
    assert warehouse.relation("caption_bank") is None  # the raw source schema is not read


def test_duckdb_file_is_released_after_the_queries(tmp_path):
    """The dashboard holds the file only while it reads: a build (a read-write connection) can
    follow a moment after the last query."""
    import time

    import duckdb

    from sendwise.dashboard.warehouse import IDLE_CLOSE_S, DuckDBWarehouse

    db = tmp_path / "w.duckdb"
    duckdb.connect(str(db)).execute("create table t as select 1 as x").close()
    warehouse = DuckDBWarehouse(db)
    assert warehouse.query("select x from t")["x"].tolist() == [1]
    with pytest.raises(duckdb.ConnectionException):
        duckdb.connect(str(db))  # still open for the page's next query
    time.sleep(IDLE_CLOSE_S + 0.5)
    writer = duckdb.connect(str(db))  # what dbt build does
    writer.execute("insert into t values (2)")
    writer.close()
    assert warehouse.query("select count(*) as n from t")["n"].iloc[0] == 2
    warehouse.close()


def test_header_stamp_is_the_oldest_of_the_marts_a_page_reads(tmp_path):
    """build_stamp: the oldest as_of and built_at of the stamped marts; a mart from an earlier build
    is named; a row-stamped incremental mart and a mart without the stamp are not read."""
    import duckdb

    from sendwise.dashboard.warehouse import DuckDBWarehouse

    db = tmp_path / "stamp.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create schema sendwise_marts")
    stamped = {  # mart: (as_of, built_at)
        "eros_score": ("2026-11-15 00:00:00", "2026-12-03 09:16:37"),
        "fan_predictions": ("2026-11-15 00:00:00", "2026-12-03 09:18:40.5"),  # a Python mart: its run time
        "page_knobs": ("2026-11-08 00:00:00", "2026-11-26 10:00:00"),  # left behind by a failed build
        "content_bandit_arms": ("2026-11-01 00:00:00", "2026-11-20 10:00:00"),  # rows keep their stamp
    }
    for name, (as_of, built) in stamped.items():
        con.execute(
            f"create table sendwise_marts.{name} as select 1 as k, timestamp '{as_of}' as as_of,"
            f" timestamp '{built}' as built_at"
        )
    con.execute("create table sendwise_marts.fan_clusters as select 1 as k")  # built before the stamp
    con.close()
    reader = queries.Reader(DuckDBWarehouse(db))
    names = [*stamped, "fan_clusters", "not_built"]
    stamp = queries.build_stamp(reader, names)
    assert stamp == queries.Stamp(
        pd.Timestamp("2026-11-08"), pd.Timestamp("2026-11-26 10:00"), 3, older=("page_knobs",)
    )
    current = queries.build_stamp(reader, ["eros_score", "fan_predictions"])
    assert (current.built_at, current.older) == (pd.Timestamp("2026-12-03 09:16:37"), ())
    assert queries.build_stamp(reader, ["fan_clusters", "content_bandit_arms"]) is None
    reader.warehouse.close()


def test_each_page_reads_the_marts_of_its_exposures():
    from sendwise.dashboard import site

    reads = site.exposure_reads()
    assert reads["data_quality_monitor"] == (
        "rejected_rows",
        "quarantine_reconciliation",
        "data_quality_by_page",
    )
    assert site.marts_read("Data quality") == reads["data_quality_monitor"]
    fans = site.marts_read("Fans")
    assert "fan_model_pairs" in fans and "fan_clusters" in fans  # both exposures of the page
    overview = site.marts_read("sendwise")
    assert set(overview) == {name for names in reads.values() for name in names}
    # every mart the pages read (marts.MARTS) is read through an exposure, so the header covers it
    assert set(marts.MARTS) - set(overview) == {"settings_modeling"}
