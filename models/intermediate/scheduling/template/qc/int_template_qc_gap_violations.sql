-- QC rules gap_below_min and gap_above_max (docs/template_qc.md): the real elapsed time (UTC)
-- between consecutive sends of a page-day is below min_gap_hours or above max_gap_hours; the later
-- send is flagged. A gap exactly at a bound passes.
with sends as (
    select
        page_key,
        plan_date,
        slot_number,
        send_epoch
    from {{ ref('int_template_qc_sends') }}
),

parameters as (
    select
        {{ sendwise.setting('min_gap_hours') }} as min_gap_hours,
        {{ sendwise.setting('max_gap_hours') }} as max_gap_hours
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

final as (
    select
        case when gaps.gap_hours < parameters.min_gap_hours then 'gap_below_min' else 'gap_above_max' end
            as rule_id,
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
)

select * from final
