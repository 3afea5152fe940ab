-- One row per violation of a template rule by the weekly template (docs/template_qc.md has the table).
-- Every rule is re-checked from weekly_template_7d and the template's inputs (library, vault,
-- quotas, near-duplicates, families, data quality), never from the template's own flags where an
-- input can answer: a caption's category is the library's, its explicit/teasing class the
-- content_categories seed's, its family ml_caption_clusters', a send's local hour comes from
-- send_at_utc and the page's time zone, and gaps are real elapsed time (UTC). A failed lookup is a
-- violation, never a pass (an earlier system's defect: a vault filter that silently became 1=1).
--   tier 1 (blocking, a data test with severity error fails the build):
--     vault_violation, duplicate_caption, price_out_of_range, gap_below_min, over_quota
--   tier 2 (warn): gap_above_max, outside_active_window, cross_page_caption, content_mix_off_target,
--     prime_hour_share_low, low_confidence
--   tier 3 (logged): category_over_cap, family_over_cap, freshness_caption_recent,
--     freshness_stale_data, weekend_saturation, quota_shortfall, no_template
-- Exact thresholds pass (a gap of exactly min_gap_hours, a share exactly at the tolerance);
-- shares are rounded to 6 decimals before comparing so 0.8 - 0.6 is not 0.2000000000000001.
with template as (
    select
        page_key,
        plan_date,
        slot_number,
        send_at_utc,
        message_type,
        price,
        caption_id,
        caption_hash,
        content_category,
        content_kind,
        confidence,
        is_prime_hour
    from {{ ref('weekly_template_7d') }}
),

template_days as (
    select
        page_key,
        plan_date,
        daily_quota,
        planned_sends,
        shortfall_reason
    from {{ ref('weekly_template_days') }}
),

quotas as (
    select
        page_key,
        plan_date,
        daily_quota
    from {{ ref('int_template_daily_quota') }}
),

pages as (
    select
        page_key,
        time_zone,
        is_active,
        active_from_hour,
        active_to_hour
    from {{ ref('stg_agency__pages') }}
),

quality as (
    select
        page_key,
        is_schedulable,
        blocking_reason,
        last_sent_at
    from {{ ref('data_quality_by_page') }}
),

library as (
    select
        caption_id,
        caption_hash,
        content_category
    from {{ ref('stg_agency__caption_bank') }}
),

vault as (
    select
        page_key,
        content_category
    from {{ ref('stg_agency__vault_matrix') }}
    where is_available
),

categories as (
    select
        content_category,
        content_class
    from {{ ref('content_categories') }}
),

near_duplicates as (
    select
        caption_id,
        duplicate_caption_id
    from {{ ref('caption_near_duplicates') }}
),

families as (
    select
        caption_id,
        cluster_id
    from {{ ref('ml_caption_clusters') }}
),

caption_usage as (
    select
        page_key,
        caption_hash,
        last_used_at
    from {{ ref('int_ranking_caption_page_stats') }}
),

parameters as (
    select
        {{ sendwise.setting('min_gap_hours') }} as min_gap_hours,
        {{ sendwise.setting('max_gap_hours') }} as max_gap_hours,
        {{ sendwise.setting('price_min') }} as price_min,
        {{ sendwise.setting('price_max') }} as price_max,
        {{ sendwise.setting('max_category_per_day') }} as max_category_per_day,
        {{ sendwise.setting('family_cap_per_day') }} as family_cap_per_day,
        {{ sendwise.setting('cross_page_caption_hours') }} as cross_page_caption_hours,
        {{ sendwise.setting('target_explicit_share') }} as target_explicit_share,
        {{ sendwise.setting('content_mix_tolerance') }} as content_mix_tolerance,
        {{ sendwise.setting('prime_hour_share_min') }} as prime_hour_share_min,
        {{ sendwise.setting('low_confidence_threshold') }} as low_confidence_threshold,
        {{ sendwise.setting('caption_cooldown_days') }} as caption_cooldown_days,
        {{ sendwise.setting('dq_freshness_days') }} as dq_freshness_days,
        {{ sendwise.setting('weekend_saturation_ratio') }} as weekend_saturation_ratio
),

-- the template's sends with what the inputs say about them
sends as (
    select
        template.*,
        library.caption_id as library_caption_id,
        library.content_category as library_category,
        vault.page_key as vault_page_key,
        coalesce(categories.content_class, template.content_kind) as content_class,
        families.cluster_id as caption_family,
        pages.time_zone,
        pages.active_from_hour,
        pages.active_to_hour,
        extract(hour from {{ sendwise.to_local_timestamp('template.send_at_utc', 'pages.time_zone') }}) as local_hour,
        {{ sendwise.epoch_seconds('template.send_at_utc') }} as send_epoch
    from template
    left join library on template.caption_id = library.caption_id
    left join vault
        on
            template.page_key = vault.page_key
            and library.content_category = vault.content_category
    left join categories on coalesce(library.content_category, template.content_category) = categories.content_category
    left join families on template.caption_id = families.caption_id
    left join pages on template.page_key = pages.page_key
),

-- tier 1 -------------------------------------------------------------------------------------
vault_violations as (
    select
        'vault_violation' as rule_id,
        1 as tier,
        page_key,
        plan_date,
        slot_number,
        cast(null as {{ dbt.type_string() }}) as discriminator,
        cast(null as {{ dbt.type_float() }}) as observed,
        cast(null as {{ dbt.type_float() }}) as limit_value,
        case
            when library_caption_id is null
                then {{ dbt.concat([
                    "'caption '", "coalesce(caption_id, 'null')", "' not found in the clean caption library'"
                ]) }}
            when vault_page_key is null
                then {{ dbt.concat([
                    "'category '", 'library_category', "' of caption '", 'caption_id',
                    "' is not available in the page vault'"
                ]) }}
            else {{ dbt.concat([
                "'template category '", "coalesce(content_category, 'null')",
                "' differs from the library category '", 'library_category'
            ]) }}
        end as detail
    from sends
    where
        library_caption_id is null
        or vault_page_key is null
        or content_category is null
        or content_category <> library_category
),

near_duplicate_pairs as (
    select
        caption_id as caption_a,
        duplicate_caption_id as caption_b
    from near_duplicates
    union all
    select
        duplicate_caption_id as caption_a,
        caption_id as caption_b
    from near_duplicates
),

earlier_pairs as (
    -- every later send of the page's week paired with every earlier one
    select
        later.page_key,
        later.plan_date,
        later.slot_number,
        later.caption_id,
        earlier.caption_id as earlier_caption_id,
        later.caption_id = earlier.caption_id as is_same_id,
        later.caption_hash = earlier.caption_hash as is_same_text
    from sends as later
    inner join sends as earlier
        on
            later.page_key = earlier.page_key
            and (
                later.send_epoch > earlier.send_epoch
                or (later.send_epoch = earlier.send_epoch and later.plan_date > earlier.plan_date)
                or (
                    later.send_epoch = earlier.send_epoch
                    and later.plan_date = earlier.plan_date
                    and later.slot_number > earlier.slot_number
                )
            )
),

duplicate_matches as (
    select earlier_pairs.*
    from earlier_pairs
    left join near_duplicate_pairs
        on
            earlier_pairs.earlier_caption_id = near_duplicate_pairs.caption_a
            and earlier_pairs.caption_id = near_duplicate_pairs.caption_b
    where
        earlier_pairs.is_same_id
        or earlier_pairs.is_same_text
        or near_duplicate_pairs.caption_a is not null
),

duplicate_counts as (
    -- grouped by columns only (BigQuery refuses to group by the rule's literal columns)
    select
        page_key,
        plan_date,
        slot_number,
        count(*) as matches,
        max(caption_id) as caption_id,
        min(earlier_caption_id) as first_match
    from duplicate_matches
    group by 1, 2, 3
),

duplicate_violations as (
    select
        'duplicate_caption' as rule_id,
        1 as tier,
        page_key,
        plan_date,
        slot_number,
        cast(null as {{ dbt.type_string() }}) as discriminator,
        cast(matches as {{ dbt.type_float() }}) as observed,
        cast(0 as {{ dbt.type_float() }}) as limit_value,
        {{ dbt.concat([
            "'caption '", 'caption_id', "' repeats '",
            'cast(matches as ' ~ dbt.type_string() ~ ')',
            "' earlier send(s) of the page week (same caption, same text or a near-duplicate), first '",
            'first_match'
        ]) }} as detail
    from duplicate_counts
),

price_violations as (
    select
        'price_out_of_range' as rule_id,
        1 as tier,
        sends.page_key,
        sends.plan_date,
        sends.slot_number,
        cast(null as {{ dbt.type_string() }}) as discriminator,
        sends.price as observed,
        case when sends.price > parameters.price_max then parameters.price_max else parameters.price_min end
            as limit_value,
        case
            when sends.price is null then 'PPV send without a price'
            else {{ dbt.concat([
                "'PPV price '", sendwise.format_number('sends.price', 2), "' outside ['",
                sendwise.format_number('parameters.price_min', 0), "', '",
                sendwise.format_number('parameters.price_max', 0), "']'"
            ]) }}
        end as detail
    from sends
    cross join parameters
    where
        sends.message_type = 'PPV'
        and (sends.price is null or sends.price < parameters.price_min or sends.price > parameters.price_max)
),

gaps as (
    select
        page_key,
        plan_date,
        slot_number,
        (
            send_epoch - lag(send_epoch) over (partition by page_key, plan_date order by send_epoch, slot_number)
        ) / 3600.0 as gap_hours
    from sends
),

gap_violations as (
    select
        case when gaps.gap_hours < parameters.min_gap_hours then 'gap_below_min' else 'gap_above_max' end
            as rule_id,
        case when gaps.gap_hours < parameters.min_gap_hours then 1 else 2 end as tier,
        gaps.page_key,
        gaps.plan_date,
        gaps.slot_number,
        cast(null as {{ dbt.type_string() }}) as discriminator,
        gaps.gap_hours as observed,
        case
            when gaps.gap_hours < parameters.min_gap_hours then parameters.min_gap_hours
            else parameters.max_gap_hours
        end as limit_value,
        {{ dbt.concat([
            "'gap of '", sendwise.format_number('gaps.gap_hours', 2),
            "' h since the previous send of the page-day'"
        ]) }} as detail
    from gaps
    cross join parameters
    where gaps.gap_hours < parameters.min_gap_hours or gaps.gap_hours > parameters.max_gap_hours
),

sends_per_day as (
    select
        page_key,
        plan_date,
        count(*) as planned
    from sends
    group by 1, 2
),

quota_violations as (
    -- a page below the data-quality bar (or inactive, or a date outside the week) has quota 0
    select
        'over_quota' as rule_id,
        1 as tier,
        sends_per_day.page_key,
        sends_per_day.plan_date,
        cast(null as {{ dbt.type_bigint() }}) as slot_number,
        cast(null as {{ dbt.type_string() }}) as discriminator,
        cast(sends_per_day.planned as {{ dbt.type_float() }}) as observed,
        cast(
            case when coalesce(quality.is_schedulable, false) then coalesce(quotas.daily_quota, 0) else 0 end
            as {{ dbt.type_float() }}
        ) as limit_value,
        case
            when quotas.page_key is null
                then 'sends on a page-day without a quota (inactive page or date outside the week)'
            when not coalesce(quality.is_schedulable, false) then 'sends on a page below the data-quality bar'
            else {{ dbt.concat([
                'cast(sends_per_day.planned as ' ~ dbt.type_string() ~ ')', "' sends for a quota of '",
                'cast(quotas.daily_quota as ' ~ dbt.type_string() ~ ')'
            ]) }}
        end as detail
    from sends_per_day
    left join quotas
        on
            sends_per_day.page_key = quotas.page_key
            and sends_per_day.plan_date = quotas.plan_date
    left join quality on sends_per_day.page_key = quality.page_key
    where
        sends_per_day.planned
        > case when coalesce(quality.is_schedulable, false) then coalesce(quotas.daily_quota, 0) else 0 end
),

-- tier 2 -------------------------------------------------------------------------------------
window_violations as (
    select
        'outside_active_window' as rule_id,
        2 as tier,
        page_key,
        plan_date,
        slot_number,
        cast(null as {{ dbt.type_string() }}) as discriminator,
        cast(local_hour as {{ dbt.type_float() }}) as observed,
        cast(null as {{ dbt.type_float() }}) as limit_value,
        case
            when time_zone is null then 'page not found in agency.pages'
            else {{ dbt.concat([
                "'local hour '", 'cast(local_hour as ' ~ dbt.type_string() ~ ')', "' outside the active window '",
                'cast(active_from_hour as ' ~ dbt.type_string() ~ ')', "'-'",
                'cast(active_to_hour as ' ~ dbt.type_string() ~ ')'
            ]) }}
        end as detail
    from sends
    where
        time_zone is null
        or not case
            when active_from_hour <= active_to_hour then local_hour between active_from_hour and active_to_hour
            else local_hour >= active_from_hour or local_hour <= active_to_hour
        end
),

cross_page_matches as (
    -- the later send of the pair is flagged (ties: the larger page_key)
    select
        later.page_key,
        later.plan_date,
        later.slot_number,
        min(later.send_epoch - earlier.send_epoch) / 3600.0 as gap_hours,
        max(later.caption_id) as caption_id,
        min(earlier.page_key) as other_page_key
    from sends as later
    inner join sends as earlier
        on
            later.caption_hash = earlier.caption_hash
            and later.page_key <> earlier.page_key
            and (
                later.send_epoch > earlier.send_epoch
                or (later.send_epoch = earlier.send_epoch and later.page_key > earlier.page_key)
            )
    cross join parameters
    where later.send_epoch - earlier.send_epoch < parameters.cross_page_caption_hours * 3600.0
    group by 1, 2, 3
),

cross_page_violations as (
    select
        'cross_page_caption' as rule_id,
        2 as tier,
        cross_page_matches.page_key,
        cross_page_matches.plan_date,
        cross_page_matches.slot_number,
        cast(null as {{ dbt.type_string() }}) as discriminator,
        cross_page_matches.gap_hours as observed,
        parameters.cross_page_caption_hours as limit_value,
        {{ dbt.concat([
            "'caption text of '", 'cross_page_matches.caption_id', "' also sent by page '",
            'cross_page_matches.other_page_key', "' within the cross-page window (UTC)'"
        ]) }} as detail
    from cross_page_matches
    cross join parameters
),

page_week as (
    select
        page_key,
        count(*) as sends,
        round(sum(case when content_class = 'explicit' then 1.0 else 0.0 end) / count(*), 6) as explicit_share,
        round(sum(case when coalesce(is_prime_hour, false) then 1.0 else 0.0 end) / count(*), 6) as prime_share
    from sends
    group by 1
),

mix_violations as (
    select
        'content_mix_off_target' as rule_id,
        2 as tier,
        page_week.page_key,
        cast(null as date) as plan_date,
        cast(null as {{ dbt.type_bigint() }}) as slot_number,
        cast(null as {{ dbt.type_string() }}) as discriminator,
        page_week.explicit_share as observed,
        parameters.target_explicit_share as limit_value,
        {{ dbt.concat([
            "'explicit share of the week '", sendwise.format_number('page_week.explicit_share', 2),
            "' vs target '", sendwise.format_number('parameters.target_explicit_share', 2),
            "' (tolerance '", sendwise.format_number('parameters.content_mix_tolerance', 2), "')'"
        ]) }} as detail
    from page_week
    cross join parameters
    where
        round(abs(page_week.explicit_share - parameters.target_explicit_share), 6)
        > parameters.content_mix_tolerance
),

prime_violations as (
    select
        'prime_hour_share_low' as rule_id,
        2 as tier,
        page_week.page_key,
        cast(null as date) as plan_date,
        cast(null as {{ dbt.type_bigint() }}) as slot_number,
        cast(null as {{ dbt.type_string() }}) as discriminator,
        page_week.prime_share as observed,
        parameters.prime_hour_share_min as limit_value,
        {{ dbt.concat([
            "'share of sends in prime hours '", sendwise.format_number('page_week.prime_share', 2),
            "' below '", sendwise.format_number('parameters.prime_hour_share_min', 2)
        ]) }} as detail
    from page_week
    cross join parameters
    where page_week.prime_share < parameters.prime_hour_share_min
),

confidence_violations as (
    select
        'low_confidence' as rule_id,
        2 as tier,
        sends.page_key,
        sends.plan_date,
        sends.slot_number,
        cast(null as {{ dbt.type_string() }}) as discriminator,
        sends.confidence as observed,
        parameters.low_confidence_threshold as limit_value,
        case
            when sends.confidence is null then 'send without a confidence'
            else {{ dbt.concat([
                "'confidence '", sendwise.format_number(
                    'floor(' ~ sendwise.round_float('sends.confidence * 100', 6) ~ ') / 100', 2
                ),
                "' below the threshold'"
            ]) }}
        end as detail
    from sends
    cross join parameters
    where sends.confidence is null or sends.confidence < parameters.low_confidence_threshold
),

-- tier 3 -------------------------------------------------------------------------------------
category_counts as (
    select
        page_key,
        plan_date,
        coalesce(library_category, content_category) as content_category,
        count(*) as sends
    from sends
    group by 1, 2, 3
),

category_violations as (
    select
        'category_over_cap' as rule_id,
        3 as tier,
        category_counts.page_key,
        category_counts.plan_date,
        cast(null as {{ dbt.type_bigint() }}) as slot_number,
        category_counts.content_category as discriminator,
        cast(category_counts.sends as {{ dbt.type_float() }}) as observed,
        parameters.max_category_per_day as limit_value,
        {{ dbt.concat([
            'cast(category_counts.sends as ' ~ dbt.type_string() ~ ')', "' captions of category '",
            'category_counts.content_category', "' on the page-day'"
        ]) }} as detail
    from category_counts
    cross join parameters
    where category_counts.sends > parameters.max_category_per_day
),

family_counts as (
    select
        page_key,
        plan_date,
        cast(caption_family as {{ dbt.type_string() }}) as caption_family,
        count(*) as sends
    from sends
    where caption_family is not null
    group by 1, 2, 3
),

family_violations as (
    select
        'family_over_cap' as rule_id,
        3 as tier,
        family_counts.page_key,
        family_counts.plan_date,
        cast(null as {{ dbt.type_bigint() }}) as slot_number,
        family_counts.caption_family as discriminator,
        cast(family_counts.sends as {{ dbt.type_float() }}) as observed,
        parameters.family_cap_per_day as limit_value,
        {{ dbt.concat([
            'cast(family_counts.sends as ' ~ dbt.type_string() ~ ')', "' captions of family '",
            'family_counts.caption_family', "' on the page-day'"
        ]) }} as detail
    from family_counts
    cross join parameters
    where family_counts.sends > parameters.family_cap_per_day
),

recent_caption_violations as (
    select
        'freshness_caption_recent' as rule_id,
        3 as tier,
        sends.page_key,
        sends.plan_date,
        sends.slot_number,
        cast(null as {{ dbt.type_string() }}) as discriminator,
        {{ sendwise.age_days('caption_usage.last_used_at') }} as observed,
        parameters.caption_cooldown_days as limit_value,
        {{ dbt.concat([
            "'caption text last used on the page '", sendwise.format_number(sendwise.age_days('caption_usage.last_used_at'), 1),
            "' days before as_of (cooldown)'"
        ]) }} as detail
    from sends
    inner join caption_usage
        on
            sends.page_key = caption_usage.page_key
            and sends.caption_hash = caption_usage.caption_hash
    cross join parameters
    where {{ sendwise.age_days('caption_usage.last_used_at') }} <= parameters.caption_cooldown_days
),

planned_pages as (
    select distinct page_key from sends
),

stale_data_violations as (
    select
        'freshness_stale_data' as rule_id,
        3 as tier,
        planned_pages.page_key,
        cast(null as date) as plan_date,
        cast(null as {{ dbt.type_bigint() }}) as slot_number,
        cast(null as {{ dbt.type_string() }}) as discriminator,
        {{ sendwise.age_days('quality.last_sent_at') }} as observed,
        parameters.dq_freshness_days as limit_value,
        case
            when quality.last_sent_at is null then 'planned page without a clean send'
            else {{ dbt.concat([
                "'newest clean send '", sendwise.format_number(sendwise.age_days('quality.last_sent_at'), 1),
                "' days before as_of'"
            ]) }}
        end as detail
    from planned_pages
    left join quality on planned_pages.page_key = quality.page_key
    cross join parameters
    where
        quality.last_sent_at is null
        or {{ sendwise.age_days('quality.last_sent_at') }} > parameters.dq_freshness_days
),

day_counts as (
    select
        page_key,
        plan_date,
        {{ sendwise.iso_day_of_week('plan_date') }} >= 6 as is_weekend,
        planned
    from sends_per_day
),

weekday_means as (
    -- the page's average sends per planned weekday (days without sends count as 0 via the quota days)
    select
        quotas.page_key,
        avg(coalesce(day_counts.planned, 0)) as weekday_mean
    from quotas
    left join day_counts
        on
            quotas.page_key = day_counts.page_key
            and quotas.plan_date = day_counts.plan_date
    where {{ sendwise.iso_day_of_week('quotas.plan_date') }} < 6
    group by 1
),

weekend_violations as (
    select
        'weekend_saturation' as rule_id,
        3 as tier,
        day_counts.page_key,
        day_counts.plan_date,
        cast(null as {{ dbt.type_bigint() }}) as slot_number,
        cast(null as {{ dbt.type_string() }}) as discriminator,
        cast(day_counts.planned as {{ dbt.type_float() }}) as observed,
        round(parameters.weekend_saturation_ratio * coalesce(weekday_means.weekday_mean, 0), 6) as limit_value,
        {{ dbt.concat([
            'cast(day_counts.planned as ' ~ dbt.type_string() ~ ')', "' weekend sends vs a weekday mean of '",
            sendwise.format_number('coalesce(weekday_means.weekday_mean, 0)', 2)
        ]) }} as detail
    from day_counts
    left join weekday_means on day_counts.page_key = weekday_means.page_key
    cross join parameters
    where
        day_counts.is_weekend
        and day_counts.planned
        > round(parameters.weekend_saturation_ratio * coalesce(weekday_means.weekday_mean, 0), 6)
),

shortfall_violations as (
    -- schedulable pages only (the others get one no_template row); the shortfall is what the
    -- template really holds against the quota, the reason the day table's (or the caption step's)
    select
        'quota_shortfall' as rule_id,
        3 as tier,
        template_days.page_key,
        template_days.plan_date,
        cast(null as {{ dbt.type_bigint() }}) as slot_number,
        cast(null as {{ dbt.type_string() }}) as discriminator,
        cast(coalesce(sends_per_day.planned, 0) as {{ dbt.type_float() }}) as observed,
        cast(template_days.daily_quota as {{ dbt.type_float() }}) as limit_value,
        {{ dbt.concat([
            'cast(template_days.daily_quota - coalesce(sends_per_day.planned, 0) as ' ~ dbt.type_string() ~ ')',
            "case when template_days.daily_quota - coalesce(sends_per_day.planned, 0) = 1 "
            ~ "then ' send short: ' else ' sends short: ' end",
            "case when coalesce(sends_per_day.planned, 0) < template_days.planned_sends "
            ~ "then 'no rule-abiding caption for every fitted slot' "
            ~ "else coalesce(template_days.shortfall_reason, 'no reason recorded in weekly_template_days') end"
        ]) }} as detail
    from template_days
    inner join quality on template_days.page_key = quality.page_key
    left join sends_per_day
        on
            template_days.page_key = sends_per_day.page_key
            and template_days.plan_date = sends_per_day.plan_date
    where
        quality.is_schedulable
        and coalesce(sends_per_day.planned, 0) < template_days.daily_quota
),

no_template_violations as (
    select
        'no_template' as rule_id,
        3 as tier,
        pages.page_key,
        cast(null as date) as plan_date,
        cast(null as {{ dbt.type_bigint() }}) as slot_number,
        cast(null as {{ dbt.type_string() }}) as discriminator,
        cast(null as {{ dbt.type_float() }}) as observed,
        cast(null as {{ dbt.type_float() }}) as limit_value,
        {{ dbt.concat(["'no template: '", "coalesce(quality.blocking_reason, 'no data-quality score')"]) }} as detail
    from pages
    left join quality on pages.page_key = quality.page_key
    where pages.is_active and not coalesce(quality.is_schedulable, false)
),

-- ported from the current model when the holiday calendar added the rule (not part of the rewrite)
-- calendar (docs/operations.md): a page-day that is a public holiday (its quota factor and hour ranking
-- apply) or whose quota the region's weekend rule changed (int_template_daily_quota); observed = the
-- day's quota, limit_value = the quota without the calendar
calendar_violations as (
    select
        'calendar_adjustment' as rule_id,
        3 as tier,
        calendar_quotas.page_key,
        calendar_quotas.plan_date,
        cast(null as {{ dbt.type_bigint() }}) as slot_number,
        cast(null as {{ dbt.type_string() }}) as discriminator,
        cast(calendar_quotas.daily_quota as {{ dbt.type_float() }}) as observed,
        cast(calendar_quotas.quota_without_calendar as {{ dbt.type_float() }}) as limit_value,
        {{ dbt.concat([
            "case when calendar_quotas.is_holiday then 'public holiday ' else 'regional weekend rule' end",
            "case when calendar_quotas.is_holiday then calendar_quotas.holiday_name else '' end",
            "' ('", "coalesce(calendar_quotas.country_code, '-')", "')'",
            "case when calendar_quotas.is_holiday then "
            ~ dbt.concat(["': saturation factor '", sendwise.format_number('calendar_quotas.saturation_factor', 2)])
            ~ " else '' end",
            "': quota '", 'cast(calendar_quotas.quota_without_calendar as ' ~ dbt.type_string() ~ ')',
            "' -> '", 'cast(calendar_quotas.daily_quota as ' ~ dbt.type_string() ~ ')',
            "case when calendar_quotas.hour_profile_dow <> calendar_quotas.iso_dow "
            ~ "then '; hours ranked on the profile of the last weekend day' else '' end"
        ]) }} as detail
    from {{ ref('int_template_daily_quota') }} as calendar_quotas
    where
        calendar_quotas.is_holiday
        or calendar_quotas.daily_quota <> calendar_quotas.quota_without_calendar
),

violations as (
    select * from vault_violations
    union all
    select * from duplicate_violations
    union all
    select * from price_violations
    union all
    select * from gap_violations
    union all
    select * from quota_violations
    union all
    select * from window_violations
    union all
    select * from cross_page_violations
    union all
    select * from mix_violations
    union all
    select * from prime_violations
    union all
    select * from confidence_violations
    union all
    select * from category_violations
    union all
    select * from family_violations
    union all
    select * from recent_caption_violations
    union all
    select * from stale_data_violations
    union all
    select * from weekend_violations
    union all
    select * from shortfall_violations
    union all
    select * from no_template_violations
    union all
    select * from calendar_violations
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            'rule_id', "'|'", 'page_key', "'|'",
            "coalesce(cast(plan_date as " ~ dbt.type_string() ~ "), '')", "'|'",
            "coalesce(cast(slot_number as " ~ dbt.type_string() ~ "), '')", "'|'",
            "coalesce(discriminator, '')"
        ])) }} as violation_key,
        cast(rule_id as {{ dbt.type_string() }}) as rule_id,
        cast(tier as {{ dbt.type_bigint() }}) as tier,
        cast(page_key as {{ dbt.type_string() }}) as page_key,
        cast(plan_date as date) as plan_date,
        cast(slot_number as {{ dbt.type_bigint() }}) as slot_number,
        cast(observed as {{ dbt.type_float() }}) as observed,
        cast(limit_value as {{ dbt.type_float() }}) as limit_value,
        cast(detail as {{ dbt.type_string() }}) as detail,
        {{ sendwise.as_of() }} as generated_for_as_of
    from violations
)

select * from final
