-- The tier_policies seed has a row for every creator tier and ISO weekday: the daily quota of a page
-- is its tier's row for the plan date's weekday, so a missing row would leave that tier's pages
-- without a quota (and a template) on that weekday. One row per missing (tier, weekday).
with tiers as (
    select 'ULTRA' as creator_tier
    union all
    select 'LARGE' as creator_tier
    union all
    select 'MID' as creator_tier
    union all
    select 'SMALL' as creator_tier
),

weekdays as (
    select cast(generated_number as {{ dbt.type_bigint() }}) as iso_dow
    from ({{ dbt.generate_series(7) }}) as series
),

policies as (
    select
        creator_tier,
        iso_dow
    from {{ ref('tier_policies') }}
)

select
    tiers.creator_tier,
    weekdays.iso_dow
from tiers
cross join weekdays
left join policies
    on
        tiers.creator_tier = policies.creator_tier
        and weekdays.iso_dow = policies.iso_dow
where policies.creator_tier is null
