"""The app's pages: script, title, URL path, and the exposures (models/_exposures.yml) each serves.

`app.py` registers them with st.navigation; the exposures' `url` point at http://localhost:8501/<url_path>
(tested in pytests/dashboard/test_app.py); the browser test opens each one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
APP = HERE / "app.py"
DEFAULT_PORT = 8501


@dataclass(frozen=True)
class Page:
    script: str  # relative to app.py
    title: str
    url_path: str
    exposures: tuple[str, ...]
    icon: str


PAGES = (
    Page("pages/schedule.py", "Weekly schedule", "weekly-schedule", ("operator_schedule_export",), "🗓️"),
    Page("pages/ranking.py", "Caption ranking board", "caption-ranking", ("caption_ranking_board",), "🏆"),
    Page(
        "pages/creators.py", "Creator performance & EROS", "creator-scorecard", ("creator_scorecard",), "📈"
    ),
    Page("pages/learning.py", "Learning audit", "learning-audit", ("learning_audit",), "🧠"),
    Page(
        "pages/model_quality.py", "Revenue model quality", "revenue-model", ("revenue_model_quality",), "🎯"
    ),
    Page(
        "pages/fans.py",
        "Fans",
        "fans",
        ("fan_conversation_insights", "fan_cluster_playbook"),
        "💬",
    ),
    Page("pages/content.py", "Promo content planner", "promo-content", ("promo_content_planner",), "📣"),
    Page("pages/data_quality.py", "Data quality", "data-quality", ("data_quality_monitor",), "🧹"),
    Page("pages/alerts.py", "Ops alerts", "ops-alerts", (), "🚨"),
)


def url(page: Page, host: str = "localhost", port: int = DEFAULT_PORT) -> str:
    return f"http://{host}:{port}/{page.url_path}"
