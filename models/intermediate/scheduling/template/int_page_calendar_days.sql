-- The calendar of every active page's planned days (docs/operations.md): one row per page and each
-- of the template_days (7) page-local dates after as_of, with the page's country (from its IANA time
-- zone, seed calendar_time_zone_countries), the country's weekend (seed calendar_weekend_rules, else
-- the calendar_default_weekend_* settings) and its public holiday (seed calendar_holidays).
--   plan_date        = the page-local date of as_of + day_index (day_index 1..template_days)
--   policy_dow       = the weekday whose tier-policy row applies: the region's weekend is aligned on
--                      the policy's Saturday/Sunday rows, its last day taking Sunday's:
--                      mod(iso_dow + 7 - weekend_last_dow - 1, 7) + 1 (= iso_dow for a Sat-Sun weekend)
--   hour_profile_dow = the weekday whose hour profile ranks the day's hours: a holiday is ranked on the
--                      page's own hours of its last weekend day (a public holiday's hours follow a
--                      Sunday's), any other day on its own weekday
--   saturation_factor = the holiday's factor (multiplies the day's quota), 1 on other days
with pages as (
    select
        page_key,
        time_zone
    from {{ ref('stg_agency__pages') }}
    where is_active
),

zone_countries as (
    select
        time_zone,
        country_code
    from {{ ref('calendar_time_zone_countries') }}
),

weekend_rules as (
    select
        country_code,
        weekend_first_dow,
        weekend_last_dow
    from {{ ref('calendar_weekend_rules') }}
),

holidays as (
    select
        country_code,
        holiday_date,
        holiday_name,
        saturation_factor
    from {{ ref('calendar_holidays') }}
),

parameters as (
    select
        {{ sendwise.setting('template_days') }} as template_days,
        {{ sendwise.setting('calendar_default_weekend_first_dow') }} as default_weekend_first_dow,
        {{ sendwise.setting('calendar_default_weekend_last_dow') }} as default_weekend_last_dow
),

day_numbers as (
    -- a weekly template: at most 7 days, each ISO weekday once
    select cast(generated_number as {{ dbt.type_bigint() }}) as day_index
    from ({{ dbt.generate_series(7) }}) as series
),

page_regions as (
    select
        pages.page_key,
        zone_countries.country_code,
        cast({{ sendwise.to_local_timestamp(sendwise.as_of(), 'pages.time_zone') }} as date) as as_of_local_date,
        {{ sendwise.iso_day_of_week(sendwise.to_local_timestamp(sendwise.as_of(), 'pages.time_zone')) }}
            as as_of_local_dow,
        cast(
            coalesce(weekend_rules.weekend_first_dow, parameters.default_weekend_first_dow)
            as {{ dbt.type_bigint() }}
        ) as weekend_first_dow,
        cast(
            coalesce(weekend_rules.weekend_last_dow, parameters.default_weekend_last_dow)
            as {{ dbt.type_bigint() }}
        ) as weekend_last_dow
    from pages
    cross join parameters
    left join zone_countries on pages.time_zone = zone_countries.time_zone
    left join weekend_rules on zone_countries.country_code = weekend_rules.country_code
),

days as (
    select
        page_regions.page_key,
        page_regions.country_code,
        page_regions.weekend_first_dow,
        page_regions.weekend_last_dow,
        day_numbers.day_index,
        cast({{ dbt.dateadd('day', 'day_numbers.day_index', 'page_regions.as_of_local_date') }} as date) as plan_date,
        cast(mod(page_regions.as_of_local_dow - 1 + day_numbers.day_index, 7) + 1 as {{ dbt.type_bigint() }})
            as iso_dow
    from page_regions
    cross join parameters
    inner join day_numbers on parameters.template_days >= day_numbers.day_index
),

final as (
    select
        days.page_key,
        days.plan_date,
        days.day_index,
        days.iso_dow,
        cast(days.country_code as {{ dbt.type_string() }}) as country_code,
        days.weekend_first_dow,
        days.weekend_last_dow,
        days.iso_dow between days.weekend_first_dow and days.weekend_last_dow as is_region_weekend,
        cast(mod(days.iso_dow + 7 - days.weekend_last_dow - 1, 7) + 1 as {{ dbt.type_bigint() }}) as policy_dow,
        holidays.holiday_date is not null as is_holiday,
        cast(holidays.holiday_name as {{ dbt.type_string() }}) as holiday_name,
        cast(coalesce(holidays.saturation_factor, 1.0) as {{ dbt.type_float() }}) as saturation_factor,
        case when holidays.holiday_date is not null then days.weekend_last_dow else days.iso_dow end
            as hour_profile_dow
    from days
    left join holidays
        on
            days.country_code = holidays.country_code
            and days.plan_date = holidays.holiday_date
)

select * from final
