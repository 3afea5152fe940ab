"""Edge-case worlds: the small demo changed the way a real agency's data can be degenerate, for the
builds that must stay green on it and the BigQuery parity that must hold on it (`sendwise demo-data
--edge NAME`, `make edge-worlds`; docs/bigquery-checks.md). Each is a list of statements on the raw
tables, applied after the world is generated; nothing else of the generator changes."""

from __future__ import annotations

EDGES: dict[str, tuple[str, list[str]]] = {
    "zero_revenue": (
        "no send, chat offer or tip ever sold and no post ever seen (revenue and engagement 0)",
        [
            "update agency.mass_messages set purchased_count = 0, earnings = 0",
            "update chat.chat_logs set purchased = false, revenue = 0, tips = 0",
            "update content.outcomes set impressions = 0, likes = 0, retweets = 0, replies = 0,"
            " bookmarks = 0, engagement_rate = 0, viral_score = 0, followers_gained = 0",
        ],
    ),
    "free_only": (
        "every send and chat message free (no PPV at all)",
        [
            "update agency.mass_messages set price = 0, message_type = 'free', purchased_count = 0, earnings = 0",
            "update chat.chat_logs set price = 0, purchased = false, revenue = 0",
        ],
    ),
    "all_inactive": ("every page inactive", ["update agency.pages set is_active = false"]),
    "one_page": (
        "an agency of one page, the first active one by name (its sends, chats and vault row only)",
        [
            "create temporary table kept as select min(page_name) as page_name from agency.pages where is_active",
            "delete from agency.mass_messages where page_name is distinct from (select page_name from kept)",
            "delete from chat.chat_logs where model_name is distinct from (select page_name from kept)",
            "delete from agency.vault_matrix where page_name is distinct from (select page_name from kept)",
            "delete from agency.pages where page_name is distinct from (select page_name from kept)",
        ],
    ),
    "stale": (
        "the whole history 200 days older: nothing inside the ranking, learning or data-quality windows",
        [
            "update agency.mass_messages set sending_time = sending_time - interval 200 day",
            "update chat.chat_logs set datetime = datetime - interval 200 day",
            "update agency.pages set onboarded_at = onboarded_at - interval 200 day",
            "update agency.caption_bank set created_at = created_at - interval 200 day",
            "update content.content_metadata set created_at = created_at - interval 200 day,"
            " posted_at = posted_at - interval 200 day",
            "update content.outcomes set collected_at = collected_at - interval 200 day",
        ],
    ),
    "no_facts": (
        "pages, vault and caption library but no send, chat message or post yet",
        [
            "delete from agency.mass_messages",
            "delete from chat.chat_logs",
            "delete from content.outcomes",
            "delete from content.content_metadata",
        ],
    ),
}


def apply_edge(db, name: str) -> str:
    """Apply the edge-case world `name` to the generated raw tables of the DuckDB file `db`; returns
    its description."""
    from sendwise.errors import run_statements

    description, statements = EDGES[name]
    run_statements(db, statements)
    return description
