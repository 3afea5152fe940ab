"""Raw data contracts (docs/data_contracts.md): the one place that names every raw column.

The demo-data generator writes exactly these tables, `sendwise load` checks a
user's file against them, and the dbt sources (`models/staging/*/_*__sources.yml`)
declare the same columns. A pytest keeps the three in agreement.

Types are DuckDB logical types; BigQuery equivalents are in `BIGQUERY_TYPES`.
"""

from __future__ import annotations

from dataclasses import dataclass

# Content categories of the vault matrix (wide, one boolean column per category).
# The `content_categories` seed carries the same list with its explicit/teasing
# class and default energy; a pytest checks that they agree.
VAULT_CATEGORIES: tuple[str, ...] = (
    "anal", "bj", "bg", "bgg", "gg", "ggb", "solo", "squirt", "toy", "feet",
    "dildo", "joi", "dick_rating", "custom", "lingerie", "shower", "oil",
    "roleplay", "cosplay", "pov", "creampie", "facial", "deepthroat", "handjob",
    "titjob", "masturbation", "strip", "tease", "nude", "topless", "bikini",
    "outdoor", "public", "gym", "yoga", "sexting", "voice_note", "live",
    "behind_scenes", "girlfriend_experience", "domination", "submission",
    "bdsm", "fetish", "stockings", "heels", "ass", "boobs", "pussy",
)  # fmt: skip


@dataclass(frozen=True)
class Column:
    name: str
    duckdb_type: str
    description: str = ""


@dataclass(frozen=True)
class SourceTable:
    source: str  # dbt source name == raw schema (agency, chat, content)
    table: str
    columns: tuple[Column, ...]
    # natural key used by the ground-truth defect labels (see INJECTED_DEFECTS)
    label_key: tuple[str, ...]
    # a wide table (the vault matrix): only these columns must be present; the declared others may
    # be absent, and a column the contract does not name is one more of type `open_type`
    required: tuple[str, ...] | None = None
    open_type: str | None = None

    @property
    def qualified(self) -> str:
        return f"{self.source}.{self.table}"

    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


BIGQUERY_TYPES = {
    "VARCHAR": "STRING",
    "DOUBLE": "FLOAT64",
    "BIGINT": "INT64",
    "INTEGER": "INT64",
    "BOOLEAN": "BOOL",
    "TIMESTAMP": "TIMESTAMP",
}

MASS_MESSAGES = SourceTable(
    "agency",
    "mass_messages",
    (
        Column("row_id", "VARCHAR", "unique per send; loader re-sends duplicate it"),
        Column("page_name", "VARCHAR", "creator page; case and whitespace vary"),
        Column("message", "VARCHAR", "caption text as sent (emoji, HTML entities, trailing spaces)"),
        Column("sending_time", "TIMESTAMP", "UTC; may be null or in the future"),
        Column("price", "DOUBLE", "0 or null = free; negative = bad row"),
        Column("sent_count", "BIGINT", "recipients; 0 happens"),
        Column("viewed_count", "BIGINT", "may exceed sent_count (bad row)"),
        Column("purchased_count", "BIGINT", "may exceed viewed_count (bad row)"),
        Column("earnings", "DOUBLE", "net revenue of this send"),
        Column("message_type", "VARCHAR", "ppv, free, tip, renew, bump (case varies)"),
    ),
    label_key=("row_id",),
)

CAPTION_BANK = SourceTable(
    "agency",
    "caption_bank",
    (
        Column("caption_id", "VARCHAR"),
        Column("caption_text", "VARCHAR"),
        Column("content_category", "VARCHAR", "one of the content_categories seed"),
        Column("price_tier", "VARCHAR", "budget / mid / premium"),
        Column("tone", "VARCHAR", "playful, flirty, seductive, explicit, ..."),
        Column("usage_status", "VARCHAR", "available / archived"),
        Column("validation_level", "VARCHAR", "low / medium / high"),
        Column("created_at", "TIMESTAMP"),
    ),
    label_key=("caption_id",),
)

VAULT_MATRIX = SourceTable(
    "agency",
    "vault_matrix",
    (
        Column("page_name", "VARCHAR"),
        *(Column(c, "BOOLEAN", f"page has {c} content (null = no)") for c in VAULT_CATEGORIES),
    ),
    label_key=("page_name",),
    # an agency's vault has the categories it keeps (fewer, or its own): staging reads the boolean
    # columns the table has (macros/ops/source_columns.sql, vault_category_columns)
    required=("page_name",),
    open_type="BOOLEAN",
)

PAGES = SourceTable(
    "agency",
    "pages",
    (
        Column("page_name", "VARCHAR"),
        Column("timezone", "VARCHAR", "IANA time zone"),
        Column("page_type", "VARCHAR", "paid / free"),
        Column("is_active", "BOOLEAN"),
        Column("active_from_hour", "INTEGER", "local window start, default 8"),
        Column("active_to_hour", "INTEGER", "local window end, default 23"),
        Column("onboarded_at", "TIMESTAMP"),
    ),
    label_key=("page_name",),
)

CHAT_LOGS = SourceTable(
    "chat",
    "chat_logs",
    (
        Column("chatter_name", "VARCHAR", "agency employee who answered"),
        Column("model_name", "VARCHAR", "creator page the fan talks to"),
        Column("fan_message", "VARCHAR", "'' when none; 'Media'/'GIF'; tips as text; 'System:' prefix"),
        Column("chatter_message", "VARCHAR", "may contain HTML entities"),
        Column("price", "DOUBLE", "PPV offer price, else 0"),
        Column("purchased", "BOOLEAN", "offer bought (only where price > 0)"),
        Column("fan_id", "VARCHAR", "fan_NNNNNN, some handles, invalid ids occur"),
        Column("datetime", "TIMESTAMP", "naive UTC; exact duplicates occur"),
        Column("tips", "DOUBLE"),
        Column("revenue", "DOUBLE", "price * purchased + tips"),
    ),
    label_key=("fan_id", "model_name", "datetime"),
)

CONTENT_METADATA = SourceTable(
    "content",
    "content_metadata",
    (
        Column("decision_id", "VARCHAR"),
        Column("quality_score", "DOUBLE", "0-1"),
        Column("decision_type", "VARCHAR", "single / thread / reply"),
        Column("bandit_arm", "VARCHAR", "e.g. educational_thread_morning"),
        Column("topic", "VARCHAR"),
        Column("hook_type", "VARCHAR"),
        Column("style", "VARCHAR"),
        Column("novelty_score", "DOUBLE", "0-1"),
        Column("expertise_level", "DOUBLE", "0-1"),
        Column("created_at", "TIMESTAMP"),
        Column("posted_at", "TIMESTAMP"),
    ),
    label_key=("decision_id",),
)

OUTCOMES = SourceTable(
    "content",
    "outcomes",
    (
        Column("decision_id", "VARCHAR"),
        Column("impressions", "BIGINT"),
        Column("likes", "BIGINT"),
        Column("retweets", "BIGINT"),
        Column("replies", "BIGINT"),
        Column("bookmarks", "BIGINT"),
        Column("engagement_rate", "DOUBLE", "often null: (likes+retweets+replies)/impressions"),
        Column("viral_score", "DOUBLE", "0-100"),
        Column("followers_gained", "BIGINT"),
        Column("collected_at", "TIMESTAMP"),
    ),
    label_key=("decision_id", "collected_at"),
)

SOURCES: dict[str, SourceTable] = {
    t.qualified: t
    for t in (MASS_MESSAGES, CAPTION_BANK, VAULT_MATRIX, PAGES, CHAT_LOGS, CONTENT_METADATA, OUTCOMES)
}

# Defects the generator injects (at a small controlled rate) and staging must
# quarantine, keyed by source. The value is the `rejection_reason` staging
# writes; the generator labels each injected row in
# `ground_truth.injected_defects` with the same string.
INJECTED_DEFECTS: dict[str, tuple[str, ...]] = {
    "agency.mass_messages": (
        "duplicate_row_id",  # loader re-send: an exact second copy of a row_id
        "missing_sending_time",
        "future_sending_time",  # after the data's end (as_of)
        "negative_price",
        "viewed_exceeds_sent",
        "purchased_exceeds_viewed",
        "missing_page_name",
    ),
    "agency.caption_bank": (
        "duplicate_caption_id",
        "missing_caption_text",
    ),
    "agency.vault_matrix": ("duplicate_page_name",),
    "agency.pages": (
        "duplicate_page_name",
        "invalid_timezone",
        "invalid_active_window",
    ),
    "chat.chat_logs": (
        "invalid_fan_id",
        "exact_duplicate",
        "system_message",
        "missing_datetime",
    ),
    "content.content_metadata": (
        "duplicate_decision_id",
        "quality_score_out_of_range",
    ),
    "content.outcomes": (
        "negative_metric",
        "missing_impressions",
        "superseded_collection",  # an older collection of a post: the latest wins
    ),
}

# Messiness that is *not* a defect: staging normalises it (and flags it) but
# keeps the row. Listed so the generator and the tests share one vocabulary.
NORMALISED_MESSINESS: dict[str, tuple[str, ...]] = {
    "agency.mass_messages": (
        "page_name_variant",  # "SD Mochi" vs "sd_mochi "
        "html_entities",
        "trailing_whitespace",
        "message_type_case",
        "null_price_free",
    ),
    "chat.chat_logs": ("html_entities", "placeholder_media", "tip_text", "empty_fan_message"),
    "content.outcomes": ("null_engagement_rate",),
}
