-- The four components (each 0-100) of the EROS score of every page (docs/performance.md), over the last
-- eros_window_days before as_of:
-- * revenue per send = earnings / sends (all sends), log-normalised against the tier benchmark
--   (the median revenue per send of the pages of the same creator tier with sends in the window;
--   the median of all such pages when the tier has fewer than eros_benchmark_min_pages):
--   rps_component = clamp(50 + 50 x ln(rps / benchmark) / ln(eros_rps_range_factor), 0, 100)
--   (benchmark -> 50, benchmark x factor -> 100, benchmark / factor -> 0; no revenue -> 0).
-- * conversion = purchases / sent over the PPV sends: clamp(100 x conversion / eros_conversion_target, 0, 100).
-- * execution rate = executed planned slots / planned slots. Planned slots: the slots of
--   weekly_plan_history whose UTC time lies in the window, taken from the plan in force for that
--   page-day (the latest generation made before as_of that covers it). Matching rule: a planned
--   slot is executed when the page sent any message within eros_execution_tolerance_minutes of
--   its planned UTC time (also counted: executed with the planned caption). No planned slot ->
--   null (the score reweights the other three).
-- * caption diversity = distinct caption texts (caption_hash) / sends, x 100.
{%- set window_days = sendwise.setting_constant('eros_window_days') %}
{%- set plan_days = sendwise.setting_constant('template_days') %}
{%- if window_days is number and plan_days is number %}
    {%- set plan_lookback_days = window_days + plan_days + 1 %}
{%- else %}
    {%- set plan_lookback_days = '(' ~ window_days ~ ' + ' ~ plan_days ~ ' + 1)' %}
{%- endif %}

with pages as (
    select
        page_key,
        is_active,
        creator_tier
    from {{ ref('int_page_performance_state') }}
),

sends as (
    select
        page_key,
        caption_hash,
        caption_id,
        is_ppv,
        sent_at,
        sent_count,
        purchased_count,
        earnings
    from {{ ref('int_mass_messages_enriched') }}
    where sent_at > {{ sendwise.window_start('eros_window_days') }}
),

plan_history as (
    select
        page_key,
        plan_date,
        slot_number,
        send_at_utc,
        generated_for_as_of,
        caption_id
    from {{ ref('weekly_plan_history') }}
    -- only generations that can cover a slot of the window: a plan covers template_days page-local
    -- days after it was made (+1 day for the page's offset from UTC); a constant bound so BigQuery
    -- prunes the table's generated_for_as_of partitions
    where generated_for_as_of > {{ sendwise.as_of_minus_days(plan_lookback_days) }}
),

parameters as (
    select
        {{ sendwise.setting('eros_rps_range_factor') }} as rps_range_factor,
        {{ sendwise.setting('eros_benchmark_min_pages') }} as benchmark_min_pages,
        {{ sendwise.setting('eros_conversion_target') }} as conversion_target,
        {{ sendwise.setting('eros_execution_tolerance_minutes') }} as tolerance_minutes
),

send_stats as (
    select
        page_key,
        cast(count(*) as {{ dbt.type_bigint() }}) as sends_in_window,
        sum(earnings) as revenue_in_window,
        cast(sum(case when is_ppv then sent_count else 0 end) as {{ dbt.type_bigint() }}) as ppv_recipients,
        cast(sum(case when is_ppv then purchased_count else 0 end) as {{ dbt.type_bigint() }}) as ppv_purchases,
        cast(count(distinct caption_hash) as {{ dbt.type_bigint() }}) as distinct_captions
    from sends
    group by 1
),

page_rps as (
    select
        pages.page_key,
        pages.is_active,
        pages.creator_tier,
        coalesce(send_stats.sends_in_window, 0) as sends_in_window,
        coalesce(send_stats.revenue_in_window, 0) as revenue_in_window,
        coalesce(send_stats.ppv_recipients, 0) as ppv_recipients,
        coalesce(send_stats.ppv_purchases, 0) as ppv_purchases,
        coalesce(send_stats.distinct_captions, 0) as distinct_captions,
        {{ sendwise.safe_divide('send_stats.revenue_in_window', 'send_stats.sends_in_window') }} as revenue_per_send
    from pages
    left join send_stats on pages.page_key = send_stats.page_key
),

tier_benchmarks as (
    select distinct
        creator_tier,
        count(*) over (partition by creator_tier) as tier_pages_with_sends,
        {{ sendwise.percentile_cont_over('revenue_per_send', 0.5, 'creator_tier') }} as tier_median_rps
    from page_rps
    where revenue_per_send is not null
),

rated_pages as (
    select
        'agency' as agency_key,
        revenue_per_send
    from page_rps
    where revenue_per_send is not null
),

agency_benchmark as (
    select distinct {{ sendwise.percentile_cont_over('revenue_per_send', 0.5, 'agency_key') }} as agency_median_rps
    from rated_pages
),

plan_generations as (
    -- the plan in force for a page-day: the latest generation made before as_of covering it
    select
        page_key,
        plan_date,
        max(generated_for_as_of) as generated_for_as_of
    from plan_history
    where generated_for_as_of < {{ sendwise.as_of() }}
    group by 1, 2
),

planned_slots as (
    select
        plan_history.page_key,
        plan_history.plan_date,
        plan_history.slot_number,
        plan_history.send_at_utc,
        plan_history.caption_id
    from plan_history
    inner join plan_generations
        on
            plan_history.page_key = plan_generations.page_key
            and plan_history.plan_date = plan_generations.plan_date
            and plan_history.generated_for_as_of = plan_generations.generated_for_as_of
    where
        plan_history.send_at_utc < {{ sendwise.as_of() }}
        and plan_history.send_at_utc > {{ sendwise.window_start('eros_window_days') }}
),

slot_matches as (
    select
        planned_slots.page_key,
        planned_slots.plan_date,
        planned_slots.slot_number,
        max(case when sends.page_key is not null then 1 else 0 end) as is_executed,
        max(case when sends.caption_id = planned_slots.caption_id then 1 else 0 end) as is_caption_executed
    from planned_slots
    cross join parameters
    left join sends
        on
            planned_slots.page_key = sends.page_key
            and abs(
                {{ sendwise.epoch_seconds('sends.sent_at') }}
                - {{ sendwise.epoch_seconds('planned_slots.send_at_utc') }}
            ) <= parameters.tolerance_minutes * 60
    group by 1, 2, 3
),

execution as (
    select
        page_key,
        cast(count(*) as {{ dbt.type_bigint() }}) as planned_slots,
        cast(sum(is_executed) as {{ dbt.type_bigint() }}) as executed_slots,
        cast(sum(is_caption_executed) as {{ dbt.type_bigint() }}) as caption_executed_slots
    from slot_matches
    group by 1
),

measured as (
    select
        page_rps.*,
        case
            when tier_benchmarks.tier_pages_with_sends >= parameters.benchmark_min_pages
                then tier_benchmarks.tier_median_rps
            else agency_benchmark.agency_median_rps
        end as benchmark_rps,
        coalesce(tier_benchmarks.tier_pages_with_sends, 0) >= parameters.benchmark_min_pages as is_tier_benchmark,
        {{ sendwise.safe_divide('page_rps.ppv_purchases', 'page_rps.ppv_recipients') }} as conversion_rate,
        {{ sendwise.safe_divide('page_rps.distinct_captions', 'page_rps.sends_in_window') }} as caption_diversity,
        coalesce(execution.planned_slots, 0) as planned_slots,
        coalesce(execution.executed_slots, 0) as executed_slots,
        coalesce(execution.caption_executed_slots, 0) as caption_executed_slots,
        {{ sendwise.safe_divide('execution.executed_slots', 'execution.planned_slots') }} as execution_rate,
        parameters.rps_range_factor,
        parameters.conversion_target
    from page_rps
    cross join parameters
    left join agency_benchmark on true
    left join tier_benchmarks on page_rps.creator_tier = tier_benchmarks.creator_tier
    left join execution on page_rps.page_key = execution.page_key
),

final as (
    select
        page_key,
        is_active,
        creator_tier,
        sends_in_window,
        revenue_in_window,
        revenue_per_send,
        benchmark_rps,
        is_tier_benchmark,
        case
            when revenue_per_send is null then null
            when revenue_per_send <= 0 or benchmark_rps <= 0 then 0.0
            else {{ sendwise.clamp(
                '50.0 + 50.0 * ln(revenue_per_send / benchmark_rps) / ln(rps_range_factor)', '0.0', '100.0'
            ) }}
        end as rps_component,
        ppv_recipients,
        ppv_purchases,
        conversion_rate,
        {{ sendwise.clamp('100.0 * conversion_rate / conversion_target', '0.0', '100.0') }} as conversion_component,
        planned_slots,
        executed_slots,
        caption_executed_slots,
        execution_rate,
        100.0 * execution_rate as execution_component,
        distinct_captions,
        caption_diversity,
        100.0 * caption_diversity as diversity_component
    from measured
)

select * from final
