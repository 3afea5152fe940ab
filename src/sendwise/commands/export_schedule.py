"""Export the weekly template as the operators' schedule: one CSV per page plus summary.csv.

Reads the built DuckDB file read-only: weekly_template_7d (required), weekly_template_days and
weekly_template_qc_violations (for each page's status; optional), page_strategy_reports (optional:
each page's strategic report, written beside its CSV as <page>_report.md). The pure functions below
(file names, row formatting, the summary) are what pytest checks.

An export replaces the last one in the folder: the files the last export wrote (listed in
.sendwise_export; for a folder written before that list existed, the schedules its summary.csv
names) that this export does not write again are removed, so a page without a template this week
leaves no schedule from an earlier week for an operator to follow. Other files are never touched.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from sendwise.errors import UserError, check_out_dir, connect
from sendwise.paths import duckdb_path

HELP = "write the weekly template as the operators' schedule: one CSV per page plus summary.csv"

SCHEDULE_COLUMNS = [
    "Page",
    "Day",
    "Date",
    "Time",
    "Type",
    "Caption",
    "Price",
    "Expected_Revenue",
    "Content_Category",
    "Strategy_Note",
    "Confidence",
]
SUMMARY_COLUMNS = [
    "Page",
    "Total",
    "PPV",
    "Free",
    "Expected_Weekly_Revenue",
    "Avg_Revenue_Per_Message",
    "Status",
    "File",
]
SUMMARY_FILE = "summary.csv"
# the files the last export wrote, one name a line: the next export removes those it does not write
MANIFEST_FILE = ".sendwise_export"
REPORTS = "page_strategy_reports"
REPORT_SUFFIX = "_report.md"
TEMPLATE = "weekly_template_7d"
DAYS = "weekly_template_days"
QC = "weekly_template_qc_violations"

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_MAX_STEM = 80


class ExportError(UserError):
    """The database cannot be exported (missing file or template table)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", default=None, help="DuckDB file (default: $SENDWISE_DUCKDB_PATH or data/sendwise.duckdb)"
    )
    parser.add_argument("--out", default="out/schedule", help="output directory (default: out/schedule)")


# --- pure functions -------------------------------------------------------------------------


def safe_file_stem(name: str | None, taken: set[str] | None = None) -> str:
    """A file-name stem for a page: letters, digits, '_' and '-' only, no leading dot or dash,
    at most 80 characters, never 'summary', never one already in `taken` (a numeric suffix is
    added). The stem is added to `taken`."""
    stem = _UNSAFE.sub("_", (name or "").strip()).strip("_-")[:_MAX_STEM].strip("_-") or "page"
    if stem.lower() == Path(SUMMARY_FILE).stem:
        stem = f"{stem}_page"
    taken = taken if taken is not None else set()
    candidate, n = stem, 2
    while candidate.lower() in taken:
        candidate = f"{stem}_{n}"
        n += 1
    taken.add(candidate.lower())
    return candidate


def _money(value) -> str:
    return "" if value is None else f"{float(value):.2f}"


DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def send_day(send: Mapping) -> tuple[dt.date, str, int]:
    """(calendar date, its weekday name, days after the plan day) of a send in the page's local time.
    A page whose active window runs past midnight (20 to 3) plans a day's last sends after midnight:
    they belong to the plan day (its quota, its spacing) but go out on the next date, and an
    operator must see that date, not the plan day's."""
    plan_date = _as_date(send["plan_date"])
    local_at = send.get("send_local_at")
    when = plan_date if local_at is None or local_at != local_at else _as_date(local_at)  # NaT != NaT
    return when, DAY_NAMES[when.weekday()], (when - plan_date).days


def schedule_row(send: Mapping) -> dict[str, str]:
    """One template send in the operators' format (money and confidence with 2 decimals); Day and
    Date are the send's own local date (send_day)."""
    date, day_name, _ = send_day(send)
    return {
        "Page": send.get("page_name") or send["page_key"],
        "Day": day_name,
        "Date": date.isoformat(),
        "Time": send["send_time_local"],
        "Type": send["message_type"],
        "Caption": send.get("caption_text") or "",
        "Price": _money(send["price"]),
        "Expected_Revenue": _money(send["expected_revenue"]),
        "Content_Category": send.get("content_category") or "",
        "Strategy_Note": send.get("strategy_note") or "",
        "Confidence": "" if send["confidence"] is None else f"{float(send['confidence']):.2f}",
    }


def schedule_csv(sends: Iterable[Mapping]) -> str:
    """The operators' CSV (header + one row per send, in the given order) as text; the dashboard's
    download button serves the same text."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=SCHEDULE_COLUMNS)
    writer.writeheader()
    writer.writerows(schedule_row(s) for s in sends)
    return buffer.getvalue()


def sort_sends(sends: Iterable[Mapping]) -> list[Mapping]:
    """Sends in the order they go out: by plan day, then the send's local date and time (a send after
    midnight of a window past midnight comes last in its plan day), then slot number."""
    return sorted(
        sends,
        key=lambda s: (str(s["plan_date"]), send_day(s)[0], s["send_time_local"], s.get("slot_number") or 0),
    )


def page_status(
    sends: list[Mapping],
    days: list[Mapping],
    violations: list[Mapping],
) -> str:
    """The page's status for the summary.

    NO TEMPLATE (reason) when the QC table says the page has none (below the data-quality bar);
    BLOCKED (n tier-1 violations) when the QC table holds tier-1 rows for it; SHORTFALL (n sends
    short: reasons) when the week holds fewer sends than the sum of its daily quotas; else OK.
    """
    for v in violations:
        if v["rule_id"] == "no_template":
            reason = str(v.get("detail") or "").removeprefix("no template: ")
            return f"NO TEMPLATE ({reason or 'no reason recorded'})"
    blocking = sum(1 for v in violations if v.get("tier") == 1)
    if blocking:
        return f"BLOCKED ({blocking} tier-1 violation{'s' if blocking != 1 else ''})"
    quota = sum(int(d["daily_quota"] or 0) for d in days)
    short = quota - len(sends) if days else 0
    if short > 0:
        reasons = sorted({d["shortfall_reason"] for d in days if d.get("shortfall_reason")})
        if len(sends) < sum(int(d.get("planned_sends") or 0) for d in days):
            reasons.append("no rule-abiding caption for every fitted slot")
        sends_word = "send" if short == 1 else "sends"
        return f"SHORTFALL ({short} {sends_word} short: {'; '.join(reasons) or 'no reason recorded'})"
    return "OK"


def summary_row(
    page: str, sends: list[Mapping], days: list[Mapping], violations: list[Mapping], file: str
) -> dict:
    """The summary line of one page: counts, expected weekly revenue, revenue per message, status."""
    total = len(sends)
    ppv = sum(1 for s in sends if s["message_type"] == "PPV")
    revenue = sum(float(s["expected_revenue"] or 0.0) for s in sends)
    return {
        "Page": page,
        "Total": total,
        "PPV": ppv,
        "Free": total - ppv,
        "Expected_Weekly_Revenue": f"{revenue:.2f}",
        "Avg_Revenue_Per_Message": f"{revenue / total:.2f}" if total else "0.00",
        "Status": page_status(sends, days, violations),
        "File": file,
    }


# --- database -------------------------------------------------------------------------------


def find_relation(con, name: str) -> str | None:
    """schema.name of a table in the DuckDB file (the marts schema first), or None."""
    rows = con.execute(
        "select table_schema from information_schema.tables where table_name = ? "
        "order by case when table_schema like '%\\_marts' escape '\\' then 0 else 1 end, table_schema",
        [name],
    ).fetchall()
    return f'"{rows[0][0]}"."{name}"' if rows else None


def _records(con, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def read_inputs(db: Path) -> tuple[list[dict], list[dict], list[dict]]:
    """(sends, days, violations) from the built database, read-only."""
    if not db.exists():
        raise ExportError(f"no database at {db}: build it first (make demo)")
    con = connect(db, read_only=True)
    try:
        template = find_relation(con, TEMPLATE)
        if template is None:
            raise ExportError(
                f"table {TEMPLATE} not found in {db}: run `dbt build` (make demo) before exporting the schedule"
            )
        sends = _records(con, f"select * from {template}")
        days_rel, qc_rel = find_relation(con, DAYS), find_relation(con, QC)
        days = _records(con, f"select * from {days_rel}") if days_rel else []
        violations = _records(con, f"select * from {qc_rel}") if qc_rel else []
    finally:
        con.close()
    return sends, days, violations


def read_reports(db: Path) -> dict[str, str]:
    """page_key -> strategic report (markdown) from page_strategy_reports, {} when not built."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        relation = find_relation(con, REPORTS)
        rows = con.execute(f"select page_key, report_markdown from {relation}").fetchall() if relation else []
    finally:
        con.close()
    return {page: text for page, text in rows if text}


def previous_export(out: Path) -> set[str]:
    """The files the last export into `out` wrote: its manifest, or for a folder written before the
    manifest existed the schedules its summary.csv names; only plain names this export could write."""
    manifest, summary = out / MANIFEST_FILE, out / SUMMARY_FILE
    if manifest.is_file():
        names = set(manifest.read_text(encoding="utf-8").splitlines())
    elif summary.is_file():
        with summary.open(newline="", encoding="utf-8") as handle:
            names = {row.get("File") or "" for row in csv.DictReader(handle)}
    else:
        names = set()
    return {
        n for n in names if Path(n).name == n and n.endswith((".csv", REPORT_SUFFIX)) and n != SUMMARY_FILE
    }


def remove_stale(out: Path, previous: set[str], written: set[str]) -> list[str]:
    """Delete the files of the last export that this one did not write again; return their names."""
    removed = []
    for name in sorted(previous - written):
        path = out / name
        if path.is_file():
            path.unlink()
            removed.append(name)
    return removed


def export(db: Path, out: Path) -> list[dict]:
    """The summary rows of write_export."""
    return write_export(db, out)[0]


def write_export(db: Path, out: Path) -> tuple[list[dict], list[str]]:
    """Write one CSV per page with sends, the page's strategic report as <stem>_report.md when
    page_strategy_reports is built, and summary.csv (every page of the template, the day table or
    the QC table); remove what the last export wrote and this one does not (remove_stale); return
    the summary rows (each page's file under "File") and the removed files."""
    sends, days, violations = read_inputs(db)
    reports = read_reports(db)
    out.mkdir(parents=True, exist_ok=True)
    previous = previous_export(out)
    written: set[str] = set()
    by_page: dict[str, list[Mapping]] = {}
    for s in sends:
        by_page.setdefault(s["page_key"], []).append(s)
    pages = sorted(
        set(by_page) | {d["page_key"] for d in days} | {v["page_key"] for v in violations} | set(reports)
    )
    taken: set[str] = set()
    summary = []
    for page in pages:
        page_sends = sort_sends(by_page.get(page, []))
        file = ""
        stem = safe_file_stem(page, taken) if page_sends or page in reports else ""
        if page in reports:
            (out / f"{stem}{REPORT_SUFFIX}").write_text(reports[page], encoding="utf-8")
            written.add(f"{stem}{REPORT_SUFFIX}")
        if page_sends:
            file = f"{stem}.csv"
            with (out / file).open("w", newline="", encoding="utf-8") as handle:
                handle.write(schedule_csv(page_sends))
            written.add(file)
        name = next((s.get("page_name") for s in page_sends if s.get("page_name")), None) or page
        summary.append(
            summary_row(
                name,
                page_sends,
                [d for d in days if d["page_key"] == page],
                [v for v in violations if v["page_key"] == page],
                file,
            )
        )
    with (out / SUMMARY_FILE).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=SUMMARY_COLUMNS)
        writer.writeheader()
        writer.writerows(summary)
    removed = remove_stale(out, previous, written)
    (out / MANIFEST_FILE).write_text("".join(f"{name}\n" for name in sorted(written)), encoding="utf-8")
    return summary, removed


def run(args: argparse.Namespace) -> int:
    """A missing database or template, or an --out that cannot be a folder: one line, exit 2."""
    out = check_out_dir(Path(args.out))
    summary, removed = write_export(duckdb_path(args.db), out)
    written = sum(1 for row in summary if row["File"])
    print(f"wrote {written} page schedule(s) and {SUMMARY_FILE} to {out}/")
    if removed:
        print(
            f"removed {len(removed)} file(s) of the last export that this one does not write: {', '.join(removed)}"
        )
    return 0
