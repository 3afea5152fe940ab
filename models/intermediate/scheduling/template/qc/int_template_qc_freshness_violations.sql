-- QC rules on freshness (docs/template_qc.md), ages in days before as_of:
--   freshness_caption_recent  the send's caption text was used on the page within
--                             caption_cooldown_days (exactly at the cooldown counts as recent)
--   freshness_stale_data      a planned page's newest clean send is more than dq_freshness_days old,
--                             or it has none
with sends as (
    select
        page_key,
        plan_date,
        slot_number,
        caption_hash
    from {{ ref('int_template_qc_sends') }}
),

quality as (
    select
        page_key,
        last_sent_at
    from {{ ref('data_quality_by_page') }}
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
        {{ sendwise.setting('caption_cooldown_days') }} as caption_cooldown_days,
        {{ sendwise.setting('dq_freshness_days') }} as dq_freshness_days
),

recent_caption_violations as (
    select
        'freshness_caption_recent' as rule_id,
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

final as (
    select * from recent_caption_violations
    union all
    select * from stale_data_violations
)

select * from final
