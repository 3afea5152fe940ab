-- The 7-day template's planned sends (docs/template.md), one row per send of every templated page (dropped
-- slots are left out; the day's other rows carry their count and reason): the caption assignment with
-- the caption experiment applied (int_template_experiment_captions), the slot's time and ladder rung
-- (int_template_send_slots), the page's highest and lowest rung of the week, the price experiment's
-- price and arm (int_template_experiment_prices), a public holiday of the page-day
-- (int_template_daily_quota), and the expected revenue with its interval. weekly_template_7d adds the
-- confidence, the strategy note and the page's name.
--   expected audience = the page's average PPV recipients per send over the last
--       gbm_momentum_days before as_of (int_page_momentum_daily.audience_7d); the agency median
--       of that figure when the page sent no PPV then
--   revenue_source 'gbm': ml_revenue_predictions of the (page, slot, caption) candidate
--       (candidate_source 'template', scoring_key page_key|YYYY-MM-DD HH:MM|control_caption_id: on a
--       caption experiment slot the top-1's, the plan's expected revenue being pre-treatment) when present
--   revenue_source 'rps_eb_x_audience' otherwise:
--       expected_revenue      = price x p_buy_eb x audience
--       expected_revenue_low  = price x max(p_buy_eb - z x p_buy_se, 0) x audience
--       expected_revenue_high = price x (p_buy_eb + z x p_buy_se) x audience   (z = template_interval_z)
--   price is the ladder price: the expected revenue is that of the ladder price also on a stepped slot
--       of the price experiment (planned_price).
with assignment as (
    select * from {{ ref('int_template_experiment_captions') }}
),

slots as (
    select
        page_key,
        plan_date,
        slot_number,
        day_index,
        iso_dow,
        send_local_at,
        send_time_local,
        is_prime_hour,
        ladder_rung
    from {{ ref('int_template_send_slots') }}
),

experiment_prices as (
    select
        page_key,
        plan_date,
        slot_number,
        price,
        experiment_id,
        experiment_arm,
        propensity
    from {{ ref('int_template_experiment_prices') }}
),

calendar as (
    select
        page_key,
        plan_date,
        country_code,
        holiday_name,
        daily_quota,
        quota_without_calendar
    from {{ ref('int_template_daily_quota') }}
    where is_holiday
),

momentum as (
    select
        page_key,
        audience_7d
    from {{ ref('int_page_momentum_daily') }}
    where
        knowledge_day_number
        = {{ sendwise.utc_day_number(sendwise.as_of()) }}
),

agency_audience as (
    select distinct {{ sendwise.percentile_cont_over('audience_7d', 0.5, "'all'") }} as median_audience
    from momentum
    where audience_7d is not null
),

predictions as (
    select
        scoring_key,
        predicted_revenue,
        predicted_revenue_low,
        predicted_revenue_high
    from {{ ref('ml_revenue_predictions') }}
    where candidate_source = 'template'
),

planned as (
    select
        assignment.*,
        slots.day_index,
        slots.iso_dow,
        slots.send_local_at,
        slots.send_time_local,
        slots.is_prime_hour,
        slots.ladder_rung,
        max(slots.ladder_rung) over (partition by assignment.page_key) as page_top_rung,
        min(slots.ladder_rung) over (partition by assignment.page_key) as page_bottom_rung
    from assignment
    inner join slots
        on
            assignment.page_key = slots.page_key
            and assignment.plan_date = slots.plan_date
            and assignment.slot_number = slots.slot_number
),

day_drops as (
    select
        page_key,
        plan_date,
        count(*) as dropped_slots,
        min(drop_reason) as drop_reason
    from assignment
    where is_dropped
    group by 1, 2
),

estimated as (
    select
        planned.*,
        case when coalesce(planned.price, 0) > 0 then 'PPV' else 'FREE' end as message_type,
        coalesce(momentum.audience_7d, agency_audience.median_audience) as expected_audience,
        predictions.predicted_revenue,
        predictions.predicted_revenue_low,
        predictions.predicted_revenue_high,
        day_drops.dropped_slots,
        day_drops.drop_reason as day_drop_reason,
        calendar.holiday_name,
        calendar.country_code as holiday_country_code,
        calendar.daily_quota as holiday_quota,
        calendar.quota_without_calendar as holiday_quota_without_calendar,
        experiment_prices.price as planned_price,
        coalesce(experiment_prices.experiment_id, planned.experiment_id) as held_experiment_id,
        coalesce(experiment_prices.experiment_arm, planned.experiment_arm) as held_experiment_arm,
        experiment_prices.propensity
    from planned
    left join momentum on planned.page_key = momentum.page_key
    left join agency_audience on true
    left join predictions
        on
            predictions.scoring_key
            = {{ dbt.concat([
                'planned.page_key', "'|'",
                sendwise.format_timestamp('planned.send_local_at', '%Y-%m-%d %H:%M'), "'|'",
                'planned.control_caption_id'
            ]) }}
    left join day_drops
        on
            planned.page_key = day_drops.page_key
            and planned.plan_date = day_drops.plan_date
    left join calendar
        on
            planned.page_key = calendar.page_key
            and planned.plan_date = calendar.plan_date
    left join experiment_prices
        on
            planned.page_key = experiment_prices.page_key
            and planned.plan_date = experiment_prices.plan_date
            and planned.slot_number = experiment_prices.slot_number
    where not planned.is_dropped
),

revenue as (
    select
        *,
        case when predicted_revenue is not null then 'gbm' else 'rps_eb_x_audience' end as revenue_source,
        coalesce(predicted_revenue, coalesce(price, 0) * p_buy_eb * expected_audience) as expected_revenue,
        case
            when predicted_revenue is not null then predicted_revenue_low
            when p_buy_eb - {{ sendwise.setting('template_interval_z') }} * p_buy_se < 0 then 0.0
            else coalesce(price, 0) * (p_buy_eb - {{ sendwise.setting('template_interval_z') }} * p_buy_se)
                * expected_audience
        end as expected_revenue_low,
        case
            when predicted_revenue is not null then predicted_revenue_high
            else coalesce(price, 0) * (p_buy_eb + {{ sendwise.setting('template_interval_z') }} * p_buy_se)
                * expected_audience
        end as expected_revenue_high
    from estimated
),

final as (
    select
        page_key,
        plan_date,
        slot_number,
        day_index,
        iso_dow,
        send_local_at,
        send_time_local,
        send_at_utc,
        local_hour,
        message_type,
        price,
        planned_price,
        caption_id,
        caption_hash,
        caption_text,
        content_category,
        content_kind,
        caption_energy,
        caption_family,
        score_final,
        shortlist_rank,
        assigned_round,
        is_energy_match,
        is_prime_hour,
        ladder_rung,
        page_top_rung,
        page_bottom_rung,
        dropped_slots,
        day_drop_reason,
        holiday_name,
        holiday_country_code,
        holiday_quota,
        holiday_quota_without_calendar,
        held_experiment_id,
        held_experiment_arm,
        propensity,
        control_caption_id,
        caption_candidate_rank,
        caption_candidate_count,
        caption_propensity,
        control_caption_propensity,
        expected_audience,
        revenue_source,
        expected_revenue,
        expected_revenue_low,
        expected_revenue_high
    from revenue
)

select * from final
