-- QC rules on the shares of a page's week (docs/template_qc.md); shares are rounded to 6 decimals
-- before comparing (0.8 - 0.6 is not 0.2000000000000001), and a value exactly at a bound passes:
--   content_mix_off_target  the explicit share (content_categories' class) differs from
--                           target_explicit_share by more than content_mix_tolerance
--   prime_hour_share_low    the share of sends with is_prime_hour is below prime_hour_share_min
with sends as (
    select
        page_key,
        content_class,
        is_prime_hour
    from {{ ref('int_template_qc_sends') }}
),

parameters as (
    select
        {{ sendwise.setting('target_explicit_share') }} as target_explicit_share,
        {{ sendwise.setting('content_mix_tolerance') }} as content_mix_tolerance,
        {{ sendwise.setting('prime_hour_share_min') }} as prime_hour_share_min
),

page_week as (
    select
        page_key,
        count(*) as sends,
        {{ sendwise.round_float(
            "sum(case when content_class = 'explicit' then 1.0 else 0.0 end) / count(*)", 6
        ) }} as explicit_share,
        {{ sendwise.round_float(
            'sum(case when coalesce(is_prime_hour, false) then 1.0 else 0.0 end) / count(*)', 6
        ) }} as prime_share
    from sends
    group by 1
),

mix_violations as (
    select
        'content_mix_off_target' as rule_id,
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
        {{ sendwise.round_float('abs(page_week.explicit_share - parameters.target_explicit_share)', 6) }}
        > parameters.content_mix_tolerance
),

prime_violations as (
    select
        'prime_hour_share_low' as rule_id,
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

final as (
    select * from mix_violations
    union all
    select * from prime_violations
)

select * from final
