{{ config(materialized='table') }}
-- The revenue model's track records by UTC day: what the PPV sends of a key earned against what the
-- same sends would have earned at their page's usual level (the page's PPV revenue per send over
-- gbm_level_window_days, as known at the start of the send's day: int_page_momentum_daily), on the
-- day and summed over every earlier day. Two kinds of key:
-- * caption: the caption's text hash, agency-wide (every page that sent the same text);
-- * page_hour: the page and the page-local hour of the send ('<page_key>|<hour>'), smoothed over
--   neighbouring hours: with r = gbm_page_hour_smoothing_hours a send counts toward its own hour with
--   weight 1 and toward the hour d away (either side, wrapping midnight) with (r + 1 - |d|) / (r + 1),
--   so an hour's record borrows from the hours next to it (an audience's hours change gradually;
--   one hour alone holds few sends). Sends, earnings and level earnings are all weighted; r = 0 is
--   each hour alone. The sums are of integer weights (exact), divided by r + 1 at the end.
-- The revenue model reads a record strictly before a knowledge day (macro track_record_before): a
-- training send the days before its own, a holdout send the days before the cutoff, a scoring
-- candidate the days before as_of, so no send sees its own earnings or a later one's. Every day
-- with a PPV send of the key has a row; a send whose page has no level yet (no PPV send in the level
-- window) counts in none of the sums.
with sends as (
    select
        page_key,
        caption_hash,
        local_hour,
        earnings,
        {{ sendwise.utc_day_number('sent_at') }} as day_number
    from {{ ref('int_mass_messages_enriched') }}
    where
        is_ppv
        and is_page_known
        and earnings >= 0
),

measured as (
    select
        sends.page_key,
        sends.caption_hash,
        sends.local_hour,
        sends.day_number,
        sends.earnings,
        -- rounded to 6 places so that the exact sum below adds the same values on both engines
        case
            when momentum.ppv_revenue_per_send_28d > 0
                then {{ sendwise.round_float('momentum.ppv_revenue_per_send_28d', 6) }}
        end as page_level
    from sends
    left join {{ ref('int_page_momentum_daily') }} as momentum
        on
            sends.page_key = momentum.page_key
            and sends.day_number = momentum.knowledge_day_number
),

smoothing as (
    select cast({{ sendwise.setting('gbm_page_hour_smoothing_hours') }} as {{ dbt.type_bigint() }}) as hours
),

-- hour offsets d = -r..r with their integer weight r + 1 - |d|
hour_offsets as (
    select
        offset_numbers.offset_number - 1 - smoothing.hours as hour_offset,
        smoothing.hours + 1 - abs(offset_numbers.offset_number - 1 - smoothing.hours) as weight
    from (
        {{ sendwise.integer_series(
            '2 * ' ~ sendwise.setting('gbm_page_hour_smoothing_hours') ~ ' + 1', 'offset_number'
        ) }}
    ) as offset_numbers
    cross join smoothing
),

keyed as (
    select
        'caption' as record_kind,
        caption_hash as record_key,
        day_number,
        earnings,
        page_level,
        1 as weight
    from measured
    where caption_hash is not null
    union all
    select
        'page_hour' as record_kind,
        {{ sendwise.page_hour_key(
            'measured.page_key', 'mod(measured.local_hour + hour_offsets.hour_offset + 24, 24)'
        ) }} as record_key,
        measured.day_number,
        measured.earnings,
        measured.page_level,
        hour_offsets.weight
    from measured
    cross join hour_offsets
    where measured.local_hour is not null
),

daily as (
    select
        record_kind,
        record_key,
        day_number,
        coalesce(sum(case when page_level is not null then weight end), 0) as sends,
        coalesce(
            {{ sendwise.exact_sum('case when page_level is not null then earnings * weight end') }}, 0
        ) as earnings,
        coalesce({{ sendwise.exact_sum('page_level * weight') }}, 0) as level_earnings
    from keyed
    group by 1, 2, 3
),

cumulative as (
    select
        record_kind,
        record_key,
        day_number,
        sends,
        earnings,
        level_earnings,
        coalesce(sum(sends) over (
            partition by record_kind, record_key order by day_number rows between unbounded preceding and 1 preceding
        ), 0) as sends_before,
        coalesce(sum(earnings) over (
            partition by record_kind, record_key order by day_number rows between unbounded preceding and 1 preceding
        ), 0) as earnings_before,
        coalesce(sum(level_earnings) over (
            partition by record_kind, record_key order by day_number rows between unbounded preceding and 1 preceding
        ), 0) as level_earnings_before
    from daily
),

-- the page_hour sums in sends of weight 1: divided by r + 1
scales as (
    select
        'caption' as record_kind,
        1.0 as divisor
    union all
    select
        'page_hour' as record_kind,
        cast(hours + 1 as {{ dbt.type_float() }}) as divisor
    from smoothing
),

final as (
    select
        cumulative.record_kind,
        cumulative.record_key,
        cumulative.day_number,
        cumulative.sends / scale.divisor as sends,
        cumulative.earnings / scale.divisor as earnings,
        cumulative.level_earnings / scale.divisor as level_earnings,
        cumulative.sends_before / scale.divisor as sends_before,
        cumulative.earnings_before / scale.divisor as earnings_before,
        cumulative.level_earnings_before / scale.divisor as level_earnings_before
    from cumulative
    inner join scales as scale on cumulative.record_kind = scale.record_kind
)

select * from final
