"""Demo-data generator: `generate(scale, seed, db_path, end)` or `sendwise demo-data`.

Writes, in one DuckDB transaction, the raw tables of `contracts.SOURCES` (schemas agency, chat,
content; exact contract columns and types) and the hidden truth in schema `ground_truth`. Models never
read `ground_truth`; evaluations and tests do. Same (scale, seed, end) => identical table contents.
History = the `days` days before `end` (UTC). Scales: see `sendwise.demo.config.SCALES`.

The world's calibration (targets, sources, figures at each scale): docs/demo_world.md and
`sendwise demo-data --report` (`sendwise.demo.calibration`).

ground_truth tables (one line per column):

generation_meta (one row)
    scale, seed, end_at (UTC end of history), start_at (= end_at - days), start_date (DATE, day_index 0
    of the page-local calendar), days, generator_version, rows_<table> (row count of each raw table).
pages (one row per real page; stub pages that only exist as defects are not here)
    page_key (lowercase, trimmed, runs of space/-/_ -> '_'), page_name (display name in agency.pages),
    region (us/europe/latam/asia), country (of the time zone: its holidays), timezone, page_type, is_active, active_from_hour,
    active_to_hour (local window, sends happen in hours from..to inclusive), onboarded_at, first_send_day /
    last_send_day (day_index range with sends; inactive pages stopped early), audience_size (recipients
    of a full send on the last day, calibrated), audience_trend_per_day (log audience change per day), trend
    (growing/stable/declining), base_logit (calibrated), conv_trend_per_day, price_sensitivity, ref_price,
    peak_hour, peak_width, hour_amplitude, optimal_daily_sends, saturation_per_send (the purchase model, see
    `sendwise.demo.truth`), price_habit (centre of the page's PPV prices before tier multiplier),
    price_ending ('whole' dollars or '.99'), view_rate (mean viewed / sent), conversion_per_view (target
    purchases / viewed at the end of the history), tier_band (the tier band of its target) and
    target_daily_revenue (expected decayed average daily revenue, see `sendwise.demo.outcomes`),
    ppv_daily_sends (mean PPV sends a day), volume_habit (over/near/under its optimum), habit_ratio
    (habit / optimum), habit_daily_sends (mean messages per day).
page_category_affinity (page x all 49 categories)
    page_key, content_category, in_vault (vault_matrix true; false/null = not available), affinity (logit).
captions (one row per distinct caption_id of the bank)
    caption_id, content_category, theme (new_drop/tease/exclusive/personal/custom_offer), family_id
    ('<category>:<theme>', the latent semantic family), tone, price_tier, quality (hidden logit offset),
    has_cta, has_urgency, has_question (text ends with '?'), n_emoji, emoji_bin ('0','1-2','3+'),
    length_chars (code points), length_bin (short < 100 <= medium < 130 <= long), near_duplicate_of
    (original caption_id for planted variants, else null), style_effect (logit of the style features).
caption_near_duplicates
    caption_id (planted variant), original_caption_id, edit_kind (`sendwise.demo.captions.EDIT_KINDS`).
coefficients
    name, value: style_cta, style_urgency, style_question, emoji_bin_<bin>, length_<bin>, p_min, p_max,
    caption_fatigue, fatigue_decay_days, and the outcome noise (`sendwise.demo.outcomes.NOISE`):
    audience_noise_sd, view_noise_sd, day_shock_sd, purchase_concentration.
dow_effects
    isodow (1 = Monday .. 7 = Sunday, page-local), effect (logit).
holidays (`sendwise.demo.holidays`: the history and the 13 weeks after it)
    country, holiday_date (page-local date), name, effect (logit, added on that date for the country's pages).
sends (one row per generated send, before defects/copies; joins agency.mass_messages by row_id)
    row_id, page_key, caption_id (null = message not in the caption bank), message_type (canonical
    lowercase), sending_time (UTC), local_at (page-local send time), local_hour, isodow, day_index,
    sends_today (sends the page already made that local day), price (clean price; 0 for non-PPV),
    prior_uses (decayed earlier sends of the caption on the page), p_true (true per-recipient purchase
    probability; null for non-PPV), day_shock (the page-day's audience multiplier), sent_count,
    viewed_count, purchased_count, earnings (the clean outcomes), expected_revenue (price x sent_count x
    p_true; null for non-PPV).
fans (one row per fan-model pair)
    fan_id, model_name (page display name), fan_model_key (fan_id || '|' || page_key), segment
    (whale/romantic/sampler/ghost), spend_z (latent spend deviation inside the segment),
    preferred_hour_utc and regularity (the fan's own: share of sessions near that hour), churned (the relationship ended before end_at - 7 days),
    is_multi_model (fan_id talks to 2+ models), is_adversarial (wrote a prompt-injection line),
    first_active_at, last_active_at (first/last generated message), n_rows (generated rows, before defects).
fan_details (each detail is written verbatim in one fan_message of the pair)
    fan_id, model_name, detail_type (age/job/relationship/hobby/location/life_event/personality/
    emotional_need/motivation), detail_value.
content_arms
    content_type, true_success_prob (P(ER > 3 %) under the generating distribution; the best arm's
    exceeds the second's by 0.04-0.08), true_mean_er, is_best.
content_posts
    decision_id, content_type, decision_type, daypart, posted_hour_utc (-1 = not posted), style_length,
    is_posted, true_er (engagement rate the counts are drawn from), is_success (true_er > 3 %),
    p_follow (P(followers_gained > 0)), gains_followers.
content_params
    name, value: coefficients of the engagement / follow model (see `sendwise.demo.content`) and
    mu_<content_type> (log-ER intercepts).
injected_defects (one row per injected bad row; two extra copies => two rows)
    source_table, defect_type (contracts.INJECTED_DEFECTS), key_1..key_3 (the source's label_key
    columns in order, as text; timestamps 'YYYY-MM-DD HH:MM:SS'; null where the key is null).
messiness (contracts.NORMALISED_MESSINESS, counted on the written raw tables)
    source_table, kind, n_rows. mass_messages trailing_whitespace also covers doubled inner spaces.
"""

from __future__ import annotations


def generate(scale: str, seed: int, db_path, end) -> dict[str, int]:
    """Generate into `db_path`; returns row counts per written table (see module docstring)."""
    from sendwise.demo.generate import generate as _generate

    return _generate(scale, seed, db_path, end)


__all__ = ["generate"]
