"""The operators' schedule export: pure functions, and a run against the built test database."""

from __future__ import annotations

import csv
import datetime as dt
import shutil

import duckdb
import pytest

from sendwise.cli import main
from sendwise.commands import export_schedule as ex


def _send(**overrides):
    send = {
        "page_key": "p1",
        "page_name": "Page One",
        "plan_date": dt.date(2026, 11, 16),
        "day_name": "Monday",
        "slot_number": 1,
        "send_time_local": "08:05",
        "message_type": "PPV",
        "caption_text": "hello, you",
        "price": 12.5,
        "expected_revenue": 3.456,
        "content_category": "solo",
        "strategy_note": "prime hour",
        "confidence": 0.8765,
    }
    send.update(overrides)
    return send


def test_safe_file_stem_strips_paths_and_symbols_and_dedupes():
    taken: set[str] = set()
    assert ex.safe_file_stem("../../etc/passwd", taken) == "etc_passwd"
    assert ex.safe_file_stem("Zoë ✨ Star", taken) == "Zo_Star"
    assert ex.safe_file_stem("zo_star", taken) == "zo_star_2"  # case-insensitive file systems
    assert ex.safe_file_stem("summary", taken) == "summary_page"  # never overwrites summary.csv
    assert ex.safe_file_stem("", taken) == "page"
    assert ex.safe_file_stem(None, taken) == "page_2"
    assert ex.safe_file_stem(".hidden", taken) == "hidden"
    assert len(ex.safe_file_stem("x" * 300, taken)) == 80


def test_schedule_row_format():
    row = ex.schedule_row(_send())
    assert list(row) == ex.SCHEDULE_COLUMNS
    assert row == {
        "Page": "Page One",
        "Day": "Monday",
        "Date": "2026-11-16",
        "Time": "08:05",
        "Type": "PPV",
        "Caption": "hello, you",
        "Price": "12.50",
        "Expected_Revenue": "3.46",
        "Content_Category": "solo",
        "Strategy_Note": "prime hour",
        "Confidence": "0.88",
    }
    free = ex.schedule_row(_send(page_name=None, message_type="FREE", price=0.0, confidence=None))
    assert (free["Page"], free["Type"], free["Price"], free["Confidence"]) == ("p1", "FREE", "0.00", "")


def test_sort_sends_by_date_then_time():
    sends = [
        _send(plan_date=dt.date(2026, 11, 17), send_time_local="08:00", slot_number=1),
        _send(plan_date=dt.date(2026, 11, 16), send_time_local="21:10", slot_number=3),
        _send(plan_date=dt.date(2026, 11, 16), send_time_local="09:15", slot_number=1),
    ]
    assert [(str(s["plan_date"]), s["send_time_local"]) for s in ex.sort_sends(sends)] == [
        ("2026-11-16", "09:15"),
        ("2026-11-16", "21:10"),
        ("2026-11-17", "08:00"),
    ]


def test_a_send_after_midnight_shows_its_own_date_and_keeps_its_plan_days_order():
    """A window past midnight (20 to 3): the Monday plan day's last send is at 01:14 on Tuesday. The
    operators' row says Tuesday 2026-11-17 01:14 (not Monday 01:14, a day early), and it comes after
    the plan day's evening sends, before the next plan day's."""
    monday = dt.date(2026, 11, 16)
    late = _send(send_local_at=dt.datetime(2026, 11, 17, 1, 14), send_time_local="01:14", slot_number=3)
    assert ex.send_day(late) == (dt.date(2026, 11, 17), "Tuesday", 1)
    row = ex.schedule_row(late)
    assert (row["Day"], row["Date"], row["Time"]) == ("Tuesday", "2026-11-17", "01:14")
    sends = [
        late,
        _send(
            plan_date=dt.date(2026, 11, 17),
            send_local_at=dt.datetime(2026, 11, 17, 20, 5),
            send_time_local="20:05",
        ),
        _send(send_local_at=dt.datetime(2026, 11, 16, 22, 3), send_time_local="22:03", slot_number=2),
        _send(send_local_at=dt.datetime(2026, 11, 16, 20, 1), send_time_local="20:01", slot_number=1),
    ]
    assert [(s["plan_date"], s["send_time_local"]) for s in ex.sort_sends(sends)] == [
        (monday, "20:01"),
        (monday, "22:03"),
        (monday, "01:14"),
        (dt.date(2026, 11, 17), "20:05"),
    ]
    # without send_local_at (an older caller) the plan day is the date
    assert ex.send_day(_send()) == (monday, "Monday", 0)


def test_page_status_rules():
    sends = [_send(), _send(slot_number=2)]
    full = [{"daily_quota": 2, "planned_sends": 2, "shortfall_reason": None}]
    assert ex.page_status(sends, full, []) == "OK"
    # quota 3 + 2 = 5, 2 sends: 3 short; reasons deduplicated, sorted
    short = [
        {"daily_quota": 3, "planned_sends": 2, "shortfall_reason": "window fits 2"},
        {"daily_quota": 2, "planned_sends": 0, "shortfall_reason": "window fits 2"},
    ]
    assert ex.page_status(sends, short, []) == "SHORTFALL (3 sends short: window fits 2)"
    # the day table fitted 2 + 2 = 4 sends but the template holds 2: the caption step is named too
    fitted = [{"daily_quota": 2, "planned_sends": 2, "shortfall_reason": None}] * 2
    assert ex.page_status(sends, fitted, []) == (
        "SHORTFALL (2 sends short: no rule-abiding caption for every fitted slot)"
    )
    # one send short: singular
    one_short = [{"daily_quota": 3, "planned_sends": 3, "shortfall_reason": None}]
    assert ex.page_status(sends, one_short, []) == (
        "SHORTFALL (1 send short: no rule-abiding caption for every fitted slot)"
    )
    tier1 = [{"rule_id": "gap_below_min", "tier": 1}, {"rule_id": "over_quota", "tier": 1}]
    assert ex.page_status(sends, full, tier1) == "BLOCKED (2 tier-1 violations)"
    none = [{"rule_id": "no_template", "tier": 3, "detail": "no template: too few PPV sends"}]
    assert ex.page_status([], [], none) == "NO TEMPLATE (too few PPV sends)"


def test_summary_row_counts_and_revenue():
    sends = [
        _send(expected_revenue=10.0),
        _send(message_type="FREE", price=0.0, expected_revenue=0.0),
        _send(expected_revenue=5.0),
    ]
    row = ex.summary_row("Page One", sends, [], [], "p1.csv")
    # 3 messages, 2 PPV, 1 free, 10 + 0 + 5 = 15, 15 / 3 = 5
    assert row == {
        "Page": "Page One",
        "Total": 3,
        "PPV": 2,
        "Free": 1,
        "Expected_Weekly_Revenue": "15.00",
        "Avg_Revenue_Per_Message": "5.00",
        "Status": "OK",
        "File": "p1.csv",
    }
    assert ex.summary_row("p2", [], [], [], "")["Avg_Revenue_Per_Message"] == "0.00"


def test_missing_template_table_is_a_clear_error(tmp_path, capsys):
    db = tmp_path / "empty.duckdb"
    duckdb.connect(str(db)).close()
    assert main(["export-schedule", "--db", str(db), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "weekly_template_7d not found" in err
    assert (
        main(["export-schedule", "--db", str(tmp_path / "absent.duckdb"), "--out", str(tmp_path / "o")]) == 2
    )
    assert "no database at" in capsys.readouterr().err
    assert not (tmp_path / "out").exists() and not (tmp_path / "o").exists()  # nothing written


def test_export_against_the_built_database(built_db, built_con, tmp_path):
    out = tmp_path / "schedule"
    assert main(["export-schedule", "--db", str(built_db), "--out", str(out)]) == 0
    template = built_con.sql(
        "select page_key, count(*), sum(case when message_type = 'PPV' then 1 else 0 end), sum(expected_revenue) "
        "from sendwise_marts.weekly_template_7d group by 1"
    ).fetchall()
    with (out / "summary.csv").open(newline="", encoding="utf-8") as handle:
        summary = list(csv.DictReader(handle))
    assert list(summary[0]) == ex.SUMMARY_COLUMNS
    by_file = {row["File"]: row for row in summary if row["File"]}
    assert len(by_file) == len(template)
    active = built_con.sql(
        "select count(*) from sendwise_staging.stg_agency__pages where is_active"
    ).fetchone()[0]
    assert len(summary) >= active  # every active page has a status, with or without a template
    for page_key, total, ppv, revenue in template:
        file = f"{ex.safe_file_stem(page_key)}.csv"
        with (out / file).open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            rows = list(reader)
        assert header == ex.SCHEDULE_COLUMNS
        assert len(rows) == total
        keys = [(r[2], r[3]) for r in rows]
        assert keys == sorted(keys), f"{file} is not ordered by date, time"
        line = by_file[file]
        assert (int(line["Total"]), int(line["PPV"]), int(line["Free"])) == (total, ppv, total - ppv)
        assert float(line["Expected_Weekly_Revenue"]) == pytest.approx(revenue, abs=0.006)
        assert line["Status"].split(" ")[0] in {"OK", "SHORTFALL", "BLOCKED"}
        assert all(r[4] in {"PPV", "FREE"} for r in rows)


def test_a_new_export_removes_the_schedules_of_the_last_one_it_no_longer_writes(built_db, tmp_path, capsys):
    """A page without a template in this week's build leaves no schedule (or report) of an earlier
    week in the folder, whether that export listed its files (.sendwise_export) or was written before
    the list existed (its summary.csv names them); files the export never wrote stay."""
    out = tmp_path / "schedule"
    assert main(["export-schedule", "--db", str(built_db), "--out", str(out)]) == 0
    with (out / "summary.csv").open(newline="", encoding="utf-8") as handle:
        files = sorted(row["File"] for row in csv.DictReader(handle) if row["File"])
    assert len(files) >= 2
    gone_page, kept_page = files[0], files[1]
    (out / "notes.csv").write_text("the operator's own file\n", encoding="utf-8")
    db = tmp_path / "next_week.duckdb"
    shutil.copyfile(built_db, db)
    con = duckdb.connect(str(db))
    stem = gone_page.removesuffix(".csv")
    keys = [
        k for (k,) in con.sql("select distinct page_key from sendwise_marts.weekly_template_7d").fetchall()
    ]
    gone_key = next(k for k in keys if ex.safe_file_stem(k) == stem)
    con.execute("delete from sendwise_marts.weekly_template_7d where page_key = ?", [gone_key])
    con.close()
    for manifest in (True, False):  # this version's folder, then one an earlier version wrote
        assert main(["export-schedule", "--db", str(built_db), "--out", str(out)]) == 0
        if not manifest:
            (out / ex.MANIFEST_FILE).unlink()
        capsys.readouterr()
        assert (out / gone_page).exists()
        assert main(["export-schedule", "--db", str(db), "--out", str(out)]) == 0
        assert f"removed 1 file(s) of the last export that this one does not write: {gone_page}" in (
            capsys.readouterr().out
        )
        assert not (out / gone_page).exists() and (out / kept_page).exists()
        assert (out / "notes.csv").read_text(encoding="utf-8") == "the operator's own file\n"
        assert gone_page not in (out / ex.MANIFEST_FILE).read_text(encoding="utf-8").split()
