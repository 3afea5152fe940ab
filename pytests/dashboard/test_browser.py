"""The dashboard in a real browser: one Streamlit server (`sendwise dashboard`) on 127.0.0.1 for
the module, Debian's Chromium driven headless by Playwright (never a downloaded browser). Every
page: the visible title and header, no error element, key figures read off the page equal the
marts, and a screenshot in out/screenshots/<page>.png. The schedule's CSV download equals the file
`sendwise export-schedule` writes."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from sendwise.dashboard import site
from sendwise.paths import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = PROJECT_ROOT / "out" / "screenshots"
START_TIMEOUT = 120
PAGE_TIMEOUT_MS = 120_000

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(built_db, tmp_path_factory):
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing: `make test` installs it (apt-get install chromium)")
        pytest.skip("no /usr/bin/chromium: `make chromium` installs it")
    port = _free_port()
    log = tmp_path_factory.mktemp("dashboard") / "server.log"  # a file: a full pipe would stall the server
    process = subprocess.Popen(
        [sys.executable, "-m", "sendwise.cli", "dashboard", "--db", str(built_db), "--port", str(port)],
        cwd=PROJECT_ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            pytest.fail(f"the dashboard did not start: {log.read_text()[-2000:]}")
        time.sleep(0.5)
    yield base
    stop(process)


def stop(process: subprocess.Popen) -> None:
    """End the server and everything it started (its own process group): Streamlit may ignore
    SIGTERM while a browser session is open, so whatever is left after 10 s is killed."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def tab(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    yield page
    context.close()


def settle(tab) -> None:
    """Wait until the page's script has run to its end and nothing is left to paint."""
    tab.get_by_text("Data as of").first.wait_for()
    tab.wait_for_function(
        """() => {
            const app = document.querySelector('[data-test-script-state]');
            return app && app.getAttribute('data-test-script-state') === 'notRunning'
                && !document.querySelector('[data-testid="stSkeleton"]');
        }"""
    )
    tab.wait_for_timeout(300)  # charts draw once their data has arrived


def visit(tab, server: str, page: site.Page) -> dict[str, str]:
    """Open a page, wait until the script has finished, check it and screenshot it; its metrics."""
    tab.goto(f"{server}/{page.url_path}")
    settle(tab)
    assert tab.locator("h1").first.inner_text().strip() == page.title
    assert tab.get_by_text("Page not found").count() == 0, f"{page.url_path}: Streamlit did not find the page"
    assert tab.locator('[data-testid="stException"]').count() == 0, tab.locator(
        '[data-testid="stException"]'
    ).first.inner_text()
    assert tab.locator('[data-testid="stAlertContentError"]').count() == 0, tab.locator(
        '[data-testid="stAlertContentError"]'
    ).first.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"{page.url_path}.png"), full_page=True)
    metrics = {}
    for box in tab.locator('[data-testid="stMetric"]').all():
        label = box.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        metrics[label] = box.locator('[data-testid="stMetricValue"]').inner_text().strip()
    return metrics


def scalar(con, sql: str, *params):
    return con.execute(sql, list(params)).fetchone()[0]


def expected_figures(con) -> dict[str, dict[str, str]]:
    """What each page must show with its default filters, from direct queries of the marts."""
    import datetime as dt

    schedule_page = scalar(
        con,
        "select min(page_key) from (select page_key from sendwise_marts.weekly_template_7d"
        " union all select page_key from sendwise_marts.weekly_template_days"
        " union all select page_key from sendwise_marts.weekly_template_qc_violations)",
    )
    sends, revenue = con.execute(
        "select count(*), sum(expected_revenue) from sendwise_marts.weekly_template_7d where page_key = ?",
        [schedule_page],
    ).fetchone()
    ranking_page = scalar(con, "select min(page_key) from sendwise_marts.caption_rankings_top3")
    as_of = scalar(con, "select max(computed_at) from sendwise_marts.creator_performance")
    agency_revenue = scalar(
        con,
        "select sum(revenue) from sendwise_marts.page_daily_performance where local_date >= ? and local_date < ?",
        as_of.date() - dt.timedelta(days=28),
        as_of.date(),
    )
    content_type = scalar(
        con,
        "select content_type from sendwise_marts.content_next_post_recommendation"
        " where scope = 'content' and is_recommended",
    )
    slots = scalar(
        con,
        "select count(distinct slot_local_at) from sendwise_marts.caption_rankings_top3 where page_key = ?",
        ranking_page,
    )
    mean_eros = scalar(con, "select avg(eros_score) from sendwise_marts.eros_score")
    weight_changes = scalar(con, "select count(*) from sendwise_marts.personalization_weights_changelog")
    r2 = scalar(
        con,
        "select r2 from sendwise_marts.ml_revenue_model_metrics where metric_scope = 'overall' and predictor = 'gbm'",
    )
    pairs = scalar(con, "select count(*) from sendwise_marts.fan_model_pairs")
    rejected = scalar(con, "select count(*) from sendwise_ops.rejected_rows")
    return {
        "weekly-schedule": {"Planned sends": f"{sends:,}", "Expected weekly revenue": f"${revenue:,.2f}"},
        "caption-ranking": {"Slots ranked": f"{slots:,}"},
        "creator-scorecard": {"Revenue": f"${agency_revenue:,.2f}", "Mean EROS score": f"{mean_eros:,.2f}"},
        "learning-audit": {"Weight changes on record": f"{weight_changes:,}"},
        "revenue-model": {"R² (model)": f"{r2:,.3f}"},
        "fans": {"Fan-model pairs": f"{pairs:,}"},
        "promo-content": {"Next post: content type": str(content_type)},
        "data-quality": {"Rejected rows": f"{rejected:,}"},
        "ops-alerts": {},
    }


# Section headings a page must show (besides its metrics).
HEADINGS = {"fans": ("Similar fans", "Best time to message", "Introductions to other creators")}


def test_every_page_in_a_real_browser(server, tab, built_con):
    expected = expected_figures(built_con)
    for page in site.PAGES:
        shown = visit(tab, server, page)
        for label, value in expected[page.url_path].items():
            # the metric's visible text (Streamlit may wrap or truncate a long label with an ellipsis)
            assert shown.get(label) == value, (
                f"{page.url_path}: {label} shows {shown.get(label)!r}, the marts say {value!r}"
            )
        for heading in HEADINGS.get(page.url_path, ()):
            assert tab.get_by_role("heading", name=heading).count() == 1, f"{page.url_path}: no {heading!r}"
        assert (SCREENSHOTS / f"{page.url_path}.png").stat().st_size > 10_000
    if (
        built_con.sql(
            "select count(*) from information_schema.tables where table_name = 'ops_alerts'"
        ).fetchone()[0]
        == 0
    ):
        assert tab.get_by_text("No alerts mart yet").count() == 1


def test_the_sidebar_lists_every_page(server, tab):
    tab.goto(server)
    settle(tab)
    nav = tab.locator('[data-testid="stSidebarNav"]').inner_text()
    for page in site.PAGES:
        assert page.title in nav


def test_schedule_download_is_the_operators_csv(server, tab, built_db, tmp_path):
    from sendwise.commands.export_schedule import export

    summary = export(built_db, tmp_path)
    first = next(row for row in summary if row["File"])  # the page the schedule opens on (the first key)
    visit(tab, server, site.PAGES[0])
    with tab.expect_download() as info:
        tab.get_by_text("Download the operators' CSV").click()
    downloaded = Path(info.value.path()).read_bytes()
    assert downloaded == (tmp_path / first["File"]).read_bytes()
