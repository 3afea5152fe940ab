-- The 7-day send template (docs/template.md): one row per planned send of every templated page.
-- Times, prices and slot values come from int_template_send_slots; captions from
-- int_template_caption_assignment with the caption experiment applied (int_template_experiment_captions;
-- dropped slots are left out; the day's other rows say so in strategy_note); the sends with their
-- context and expected revenue (GBM prediction, else price x p_buy_eb x audience, with an interval) from
-- int_template_planned_sends.
--   confidence = 1 / (1 + (high - low) / expected): 1 for a point-sure estimate, 0.5 when the
--       interval is as wide as the estimate; 0 without an estimate. p_buy_se shrinks with the
--       EB sample size (eb_n), so more evidence gives a higher confidence
--   strategy_note = hour ('prime hour' | 'off-peak hour'), ladder ('premium ladder' on the page's
--       highest rung of the week, 'entry ladder' on its lowest, else 'mid ladder'; 'free message'),
--       caption ('top-ranked caption' when caption_rank <= strategy_top_caption_rank, else
--       'alternative after a cross-page conflict' when it was a refill, else 'caption #rank'),
--       '<energy> energy' when the caption's energy matches the daypart, and
--       'day short by N: <reason>' when slots of the page-day were dropped, and
--       'holiday <name> (<country>): quota <without> -> <quota>' on a public holiday of the page's
--       country (int_template_daily_quota, docs/operations.md)
--   price experiment (int_template_experiment_prices, docs/operations.md): price is the slot's planned
--       price - the ladder price, or on a held-out slot of the price_down / price_up arm the stepped
--       price; ladder_price, experiment_id, experiment_arm and propensity (the probability with which
--       the logging policy chose this price) are kept for the plan history. Expected revenue and its
--       interval are those of the ladder price (a pre-treatment estimate: the experiment measures what
--       the step changes), and the note says 'price experiment: <arm> (ladder $x)' on a stepped slot.
--   caption experiment (int_template_experiment_captions, docs/operations.md): the caption columns are
--       the planned caption's (on a caption_topk slot the caption drawn from the top k), control_caption_id
--       the template's own choice (the top-1); caption_propensity / control_caption_propensity are the
--       logging policy's probabilities of the planned caption / of the top-1 (1 outside the experiment).
--       A slot is held out for at most one experiment: experiment_id / experiment_arm come from the one
--       that holds it. Expected revenue (the GBM's, keyed by control_caption_id) is the top-1's, and the
--       note says 'caption experiment: draw #j of k (top-1 <id>)' on a caption_topk slot.
-- Floats are rounded to output_decimals (4).
{#- Output precision (not a model parameter): DuckDB's parallel float sums upstream can differ in
    the last bit between two builds, so reported floats are rounded to keep rebuilds identical. -#}
{%- set output_decimals = 4 %}

with sends as (
    select * from {{ ref('int_template_planned_sends') }}
),

pages as (
    select
        page_key,
        page_name,
        time_zone
    from {{ ref('stg_agency__pages') }}
),

scored as (
    select
        *,
        coalesce(
            1 / (1 + {{ sendwise.safe_divide('expected_revenue_high - expected_revenue_low', 'expected_revenue') }}),
            0
        ) as confidence,
        concat(
            case when is_prime_hour then 'prime hour' else 'off-peak hour' end,
            ', ',
            case
                when message_type = 'FREE' then 'free message'
                when ladder_rung = page_top_rung and page_top_rung > page_bottom_rung then 'premium ladder'
                when ladder_rung = page_bottom_rung and page_top_rung > page_bottom_rung then 'entry ladder'
                else 'mid ladder'
            end,
            ', ',
            case
                when shortlist_rank <= {{ sendwise.setting('strategy_top_caption_rank') }} then 'top-ranked caption'
                when assigned_round > 1 then 'alternative after a cross-page conflict'
                else concat('caption #', cast(shortlist_rank as {{ dbt.type_string() }}))
            end,
            case when is_energy_match then concat(', ', caption_energy, ' energy') else '' end,
            case
                when dropped_slots > 0
                    then concat(
                            '; day short by ', cast(dropped_slots as {{ dbt.type_string() }}), ': ', day_drop_reason
                        )
                else ''
            end,
            case
                when held_experiment_arm in ('price_down', 'price_up')
                    then concat(
                            '; price experiment: ', held_experiment_arm, ' (ladder $',
                            {{ sendwise.format_number('price', 2) }}, ')'
                        )
                else ''
            end,
            case
                when held_experiment_arm = 'caption_topk'
                    then concat(
                            '; caption experiment: draw #', cast(caption_candidate_rank as {{ dbt.type_string() }}),
                            ' of ', cast(caption_candidate_count as {{ dbt.type_string() }}),
                            ' (top-1 ', control_caption_id, ')'
                        )
                else ''
            end,
            case
                when holiday_name is not null
                    then concat(
                            '; holiday ', holiday_name, ' (', coalesce(holiday_country_code, '-'), '): quota ',
                            cast(holiday_quota_without_calendar as {{ dbt.type_string() }}), ' -> ',
                            cast(holiday_quota as {{ dbt.type_string() }})
                        )
                else ''
            end
        ) as strategy_note
    from sends
),

final as (
    select
        cast({{ dbt.hash(dbt.concat([
            'scored.page_key', "'|'",
            'cast(scored.plan_date as ' ~ dbt.type_string() ~ ')', "'|'",
            'cast(scored.slot_number as ' ~ dbt.type_string() ~ ')'
        ])) }} as {{ dbt.type_string() }}) as template_slot_key,
        cast({{ sendwise.as_of() }} as {{ dbt.type_timestamp() }}) as generated_for_as_of,
        cast(scored.page_key as {{ dbt.type_string() }}) as page_key,
        cast(pages.page_name as {{ dbt.type_string() }}) as page_name,
        cast(pages.time_zone as {{ dbt.type_string() }}) as time_zone,
        scored.plan_date,
        cast(scored.day_index as {{ dbt.type_bigint() }}) as day_index,
        cast(case scored.iso_dow
            when 1 then 'Monday'
            when 2 then 'Tuesday'
            when 3 then 'Wednesday'
            when 4 then 'Thursday'
            when 5 then 'Friday'
            when 6 then 'Saturday'
            when 7 then 'Sunday'
        end as {{ dbt.type_string() }}) as day_name,
        cast(scored.slot_number as {{ dbt.type_bigint() }}) as slot_number,
        scored.send_local_at,
        cast(scored.send_time_local as {{ dbt.type_string() }}) as send_time_local,
        scored.send_at_utc,
        cast(scored.local_hour as {{ dbt.type_bigint() }}) as local_hour,
        cast(scored.message_type as {{ dbt.type_string() }}) as message_type,
        cast(coalesce(scored.planned_price, scored.price, 0) as {{ dbt.type_float() }}) as price,
        cast(scored.caption_id as {{ dbt.type_string() }}) as caption_id,
        cast(scored.caption_hash as {{ dbt.type_string() }}) as caption_hash,
        cast(scored.caption_text as {{ dbt.type_string() }}) as caption_text,
        cast(scored.content_category as {{ dbt.type_string() }}) as content_category,
        cast(scored.content_kind as {{ dbt.type_string() }}) as content_kind,
        cast(scored.caption_family as {{ dbt.type_bigint() }}) as caption_family,
        cast({{ sendwise.round_float('scored.score_final', output_decimals) }} as {{ dbt.type_float() }})
            as score_final,
        cast(scored.shortlist_rank as {{ dbt.type_bigint() }}) as caption_rank,
        cast({{ sendwise.round_float('scored.expected_revenue', output_decimals) }} as {{ dbt.type_float() }})
            as expected_revenue,
        cast({{ sendwise.round_float('scored.expected_revenue_low', output_decimals) }} as {{ dbt.type_float() }})
            as expected_revenue_low,
        cast({{ sendwise.round_float('scored.expected_revenue_high', output_decimals) }} as {{ dbt.type_float() }})
            as expected_revenue_high,
        cast(scored.revenue_source as {{ dbt.type_string() }}) as revenue_source,
        cast({{ sendwise.round_float('scored.confidence', output_decimals) }} as {{ dbt.type_float() }})
            as confidence,
        scored.is_prime_hour,
        cast(scored.strategy_note as {{ dbt.type_string() }}) as strategy_note,
        cast(coalesce(scored.price, 0) as {{ dbt.type_float() }}) as ladder_price,
        cast(scored.held_experiment_id as {{ dbt.type_string() }}) as experiment_id,
        cast(scored.held_experiment_arm as {{ dbt.type_string() }}) as experiment_arm,
        cast(coalesce(scored.propensity, 1.0) as {{ dbt.type_float() }}) as propensity,
        cast(scored.control_caption_id as {{ dbt.type_string() }}) as control_caption_id,
        cast(coalesce(scored.caption_propensity, 1.0) as {{ dbt.type_float() }}) as caption_propensity,
        cast(coalesce(scored.control_caption_propensity, 1.0) as {{ dbt.type_float() }}) as control_caption_propensity
    from scored
    left join pages on scored.page_key = pages.page_key
)

select
    final.*,
    -- the build's as_of and start time: a mart not rebuilt by a failed build shows its old stamp
    {{ sendwise.build_stamp() }}
from final
