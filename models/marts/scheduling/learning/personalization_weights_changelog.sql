{{ config(
    materialized='incremental',
    incremental_strategy='merge',
    unique_key=['page_key', 'weight_name', 'computed_at'],
    full_refresh=false,
    on_schema_change='append_new_columns',
    cluster_by=(['page_key'] if target.type == 'bigquery' else none),
) }}
-- Audit trail of the personalization weights: a row when a page's weight is computed for the first
-- time, and afterwards only when it moved by at least weight_change_min_share of its range since
-- the last value logged here (slow drift is logged once it adds up; run-to-run noise is not),
-- with the old and new value, the four features and the reason in words.
-- Append-only and full_refresh=false: `dbt build --full-refresh` keeps the history. A build with an
-- older as_of than a page's weight's newest row (a backfill) logs nothing for it. A rerun at an
-- as_of already logged restates that row when its value changed (the history was corrected in
-- place), so the log's newest row always holds the value the weights table holds; the merge on
-- (page_key, weight_name, computed_at) replaces it.
with weights as (
    select * from {{ ref('page_personalization_weights') }}
),

parameters as (
    select
        {{ sendwise.setting('weight_volume_min') }} as weight_volume_min,
        {{ sendwise.setting('weight_volume_max') }} as weight_volume_max,
        {{ sendwise.setting('weight_price_min') }} as weight_price_min,
        {{ sendwise.setting('weight_price_max') }} as weight_price_max,
        {{ sendwise.setting('weight_hours_min') }} as weight_hours_min,
        {{ sendwise.setting('weight_hours_max') }} as weight_hours_max,
        {{ sendwise.setting('exploration_rate_min') }} as exploration_rate_min,
        {{ sendwise.setting('exploration_rate_max') }} as exploration_rate_max,
        {{ sendwise.setting('weight_change_min_share') }} as weight_change_min_share
),

described as (
    -- what drives each weight, in words
    select
        weights.*,
        concat(
            'volume_perf ', coalesce({{ sendwise.format_number('weights.volume_perf', 3) }}, 'n/a'),
            ' (revenue per send $', coalesce({{ sendwise.format_number('weights.revenue_per_send', 2) }}, 'n/a'),
            ' vs tier ', weights.creator_tier, ' median $',
            coalesce({{ sendwise.format_number('weights.tier_median_revenue_per_send', 2) }}, 'n/a'),
            ', trend x', coalesce({{ sendwise.format_number('weights.trend_multiplier', 3) }}, 'n/a'), ')'
        ) as volume_basis,
        concat(
            'corr(price, earnings) ', coalesce({{ sendwise.format_number('weights.corr_price_earnings', 3) }}, 'n/a'),
            ' over ', cast(weights.ppv_sends_in_window as {{ dbt.type_string() }}), ' PPV sends, shrunk to ',
            coalesce({{ sendwise.format_number('weights.corr_final', 3) }}, 'n/a')
        ) as price_basis,
        concat(
            'hour_peak_ratio ', coalesce({{ sendwise.format_number('weights.hour_peak_ratio', 3) }}, 'n/a')
        ) as hours_basis,
        concat(
            'hour_peak_ratio ', coalesce({{ sendwise.format_number('weights.hour_peak_ratio', 3) }}, 'n/a'),
            ' and slope_pct_7d ', coalesce({{ sendwise.format_number('100 * weights.slope_pct_7d', 1) }}, 'n/a'), '%'
        ) as exploration_basis
    from weights
),

weights_long as (
    select
        'weight_volume' as weight_name,
        described.weight_volume as new_value,
        parameters.weight_volume_max - parameters.weight_volume_min as weight_range,
        described.volume_basis as basis,
        described.*
    from described
    cross join parameters

    union all

    select
        'weight_price' as weight_name,
        described.weight_price as new_value,
        parameters.weight_price_max - parameters.weight_price_min as weight_range,
        described.price_basis as basis,
        described.*
    from described
    cross join parameters

    union all

    select
        'weight_hours' as weight_name,
        described.weight_hours as new_value,
        parameters.weight_hours_max - parameters.weight_hours_min as weight_range,
        described.hours_basis as basis,
        described.*
    from described
    cross join parameters

    union all

    select
        'exploration_rate' as weight_name,
        described.exploration_rate as new_value,
        parameters.exploration_rate_max - parameters.exploration_rate_min as weight_range,
        described.exploration_basis as basis,
        described.*
    from described
    cross join parameters
),

logged as (
    -- every earlier log row (none on the first build)
    {%- if is_incremental() %}
        select
            page_key,
            weight_name,
            new_value,
            computed_at
        from {{ this }}
    {%- else %}
        select
            cast(null as {{ dbt.type_string() }}) as page_key,
            cast(null as {{ dbt.type_string() }}) as weight_name,
            cast(null as {{ dbt.type_float() }}) as new_value,
            cast(null as {{ dbt.type_timestamp() }}) as computed_at
        from parameters
        where false
    {%- endif %}
),

latest_logged as (
    select
        *,
        row_number() over (partition by page_key, weight_name order by computed_at desc) as recency
    from logged
    where computed_at < {{ sendwise.as_of() }}
),

last_logged as (
    -- the last value logged before this build's as_of
    select
        page_key,
        weight_name,
        new_value as last_value,
        computed_at as last_computed_at
    from latest_logged
    where recency = 1
),

logged_since as (
    -- rows at this build's as_of (an earlier build of it) and after it (this build is a backfill);
    -- the unique key allows one row per as_of
    select
        page_key,
        weight_name,
        max(case when computed_at = {{ sendwise.as_of() }} then new_value end) as value_at_as_of,
        count(case when computed_at = {{ sendwise.as_of() }} then 1 end) > 0 as is_logged_at_as_of,
        count(case when computed_at > {{ sendwise.as_of() }} then 1 end) > 0 as is_logged_after_as_of
    from logged
    where computed_at >= {{ sendwise.as_of() }}
    group by 1, 2
),

changes as (
    select
        weights_long.*,
        last_logged.last_value,
        last_logged.last_computed_at
    from weights_long
    cross join parameters
    left join last_logged
        on
            weights_long.page_key = last_logged.page_key
            and weights_long.weight_name = last_logged.weight_name
    left join logged_since
        on
            weights_long.page_key = logged_since.page_key
            and weights_long.weight_name = logged_since.weight_name
    where
        not coalesce(logged_since.is_logged_after_as_of, false)
        and case
            -- logged by an earlier build of this as_of: restated when the value changed
            when logged_since.is_logged_at_as_of
                then weights_long.new_value <> logged_since.value_at_as_of
            else
                last_logged.page_key is null
                or abs(weights_long.new_value - last_logged.last_value)
                >= parameters.weight_change_min_share * weights_long.weight_range
        end
),

final as (
    select
        {{ dbt.concat([
            'page_key', "'|'", 'weight_name', "'|'",
            sendwise.format_timestamp('computed_at', '%Y-%m-%d %H:%M:%S')
        ]) }} as weight_change_id,
        page_key,
        weight_name,
        last_value as old_value,
        new_value,
        new_value - last_value as delta,
        slope_pct_7d,
        hour_peak_ratio,
        corr_final,
        volume_perf,
        is_history_sufficient,
        case
            when last_value is null
                then concat(
                        'first computation: ',
                        weight_name,
                        ' = ',
                        {{ sendwise.format_number('new_value', 4) }},
                        ' from ',
                        case when is_history_sufficient then basis else weights_basis end
                    )
            else concat(
                    weight_name, ' ', {{ sendwise.format_number('last_value', 4) }}, ' -> ',
                    {{ sendwise.format_number('new_value', 4) }}, ' (logged ',
                    {{ sendwise.format_timestamp('last_computed_at', '%Y-%m-%d %H:%M') }}, '): ',
                    case when is_history_sufficient then basis else weights_basis end
                )
        end as reason,
        computed_at,
        last_computed_at as previous_computed_at
    from changes
)

select
    final.*,
    -- the build's as_of and start time: a mart not rebuilt by a failed build shows its old stamp
    {{ sendwise.build_stamp() }}
from final
