-- Every two consecutive planned sends of a page-day are at least min_gap_hours and at most
-- max_gap_hours apart in minutes, jitter included (docs/template.md spacing; tier 1 and tier 2 of the QC).
-- Returns the offending pairs.
with send_slots as (
    select
        page_key,
        plan_date,
        slot_number,
        send_local_at
    from {{ ref('int_template_send_slots') }}
),

parameters as (
    select
        {{ sendwise.setting('min_gap_hours') }} as min_gap_hours,
        {{ sendwise.setting('max_gap_hours') }} as max_gap_hours
),

pairs as (
    select
        later.page_key,
        later.plan_date,
        later.slot_number,
        {{ dbt.datediff('earlier.send_local_at', 'later.send_local_at', 'minute') }} as gap_minutes  -- noqa: LT05
    from send_slots as later
    inner join send_slots as earlier
        on
            later.page_key = earlier.page_key
            and later.plan_date = earlier.plan_date
            and later.slot_number = earlier.slot_number + 1
),

final as (
    select pairs.*
    from pairs
    cross join parameters
    where
        pairs.gap_minutes < 60 * parameters.min_gap_hours
        or pairs.gap_minutes > 60 * parameters.max_gap_hours
)

select * from final
