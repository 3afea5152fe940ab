"""The app's pages: script, title, URL path, and the exposures (models/_exposures.yml) each serves.

`app.py` registers them with st.navigation; the exposures' `url` point at http://localhost:8501/<url_path>
(tested in pytests/dashboard/test_app.py); the browser test opens each one.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from sendwise.paths import PROJECT_ROOT

HERE = Path(__file__).resolve().parent
APP = HERE / "app.py"
HOME = "views/home.py"  # the overview at the root URL, linking every page
DEFAULT_PORT = 8501


@dataclass(frozen=True)
class Page:
    script: str  # relative to app.py
    title: str
    url_path: str
    exposures: tuple[str, ...]
    icon: str
    question: str


PAGES = (
    Page(
        "views/schedule.py",
        "Weekly schedule",
        "weekly-schedule",
        ("operator_schedule_export",),
        ":material/calendar_month:",
        "Is each page's week ready to approve, and what goes out when?",
    ),
    Page(
        "views/ranking.py",
        "Caption ranking board",
        "caption-ranking",
        ("caption_ranking_board",),
        ":material/leaderboard:",
        "Which caption should go out in this hour, and why?",
    ),
    Page(
        "views/creators.py",
        "Creator performance & EROS",
        "creator-scorecard",
        ("creator_scorecard",),
        ":material/trending_up:",
        "How is each creator doing, and why does the EROS score say so?",
    ),
    Page(
        "views/learning.py",
        "Learning audit",
        "learning-audit",
        ("learning_audit",),
        ":material/psychology:",
        "What did auto-tuning set for each page, and why did it change?",
    ),
    Page(
        "views/model_quality.py",
        "Revenue model quality",
        "revenue-model",
        ("revenue_model_quality",),
        ":material/target:",
        "Can the expected revenue on the schedule be trusted?",
    ),
    Page(
        "views/fans.py",
        "Fans",
        "fans",
        ("fan_conversation_insights", "fan_cluster_playbook"),
        ":material/forum:",
        "Who are the fans, who is about to leave or buy, who is like this fan, when to message him and "
        "whom to introduce him to?",
    ),
    Page(
        "views/content.py",
        "Promo content planner",
        "promo-content",
        ("promo_content_planner",),
        ":material/campaign:",
        "What promo post to make next, and when to post it?",
    ),
    Page(
        "views/data_quality.py",
        "Data quality",
        "data-quality",
        ("data_quality_monitor",),
        ":material/rule:",
        "Did every raw row land somewhere, and which pages can be scheduled?",
    ),
    Page(
        "views/alerts.py",
        "Ops alerts",
        "ops-alerts",
        ("ops_alerts_board",),
        ":material/notifications:",
        "Is anything wrong that someone must act on?",
    ),
)


EXPOSURES_YML = PROJECT_ROOT / "models" / "_exposures.yml"


@functools.cache
def exposure_reads(path: Path = EXPOSURES_YML) -> dict[str, tuple[str, ...]]:
    """exposure -> the relations it reads (the ref() names of its depends_on); empty when the
    project's YAML is not there."""
    import yaml

    if not path.exists():
        return {}
    exposures = yaml.safe_load(path.read_text()).get("exposures") or []
    return {
        exposure["name"]: tuple(
            match.group(1)
            for ref in exposure.get("depends_on") or []
            if (match := re.fullmatch(r"\s*ref\(\s*['\"]([^'\"]+)['\"]\s*\)\s*", ref))
        )
        for exposure in exposures
    }


def marts_read(title: str) -> tuple[str, ...]:
    """The relations the page titled `title` reads (its exposures' depends_on); for the overview
    (any other title), every page's."""
    pages = [page for page in PAGES if page.title == title] or list(PAGES)
    reads = exposure_reads()
    return tuple(dict.fromkeys(name for page in pages for e in page.exposures for name in reads.get(e, ())))


def url(page: Page, host: str = "localhost", port: int = DEFAULT_PORT) -> str:
    return f"http://{host}:{port}/{page.url_path}"
