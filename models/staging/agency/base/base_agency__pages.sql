-- Every raw page row, typed and normalised, with the one reason (if any) it is quarantined.
-- Time zones are checked against the IANA list seed (the engines raise on unknown zones), in any
-- case: "europe/paris" or "utc" is read as the seed's Europe/Paris or UTC (no two tz names differ
-- only in case: a pytest holds it), so a hand-typed zone never drops its page.
-- agency.pages may be absent (a chat log alone still builds the fan analytics): optional_source.
with source as (
    select * from {{ sendwise.optional_source('agency', 'pages') }}
),

known_time_zones as (
    select
        time_zone,
        lower(time_zone) as time_zone_lower
    from {{ ref('iana_time_zones') }}
),

normalised as (
    select
        {{ sendwise.normalize_page_key('source.page_name') }} as page_key,
        trim(source.page_name) as page_name,
        source.page_name as page_name_raw,
        coalesce(known_time_zones.time_zone, trim(source.timezone)) as time_zone,
        nullif(trim(lower(source.page_type)), '') as page_type,
        coalesce(source.is_active, false) as is_active,
        source.is_active is null as is_active_missing,
        cast(coalesce(source.active_from_hour, 8) as {{ dbt.type_int() }}) as active_from_hour,
        cast(coalesce(source.active_to_hour, 23) as {{ dbt.type_int() }}) as active_to_hour,
        source.active_from_hour is null or source.active_to_hour is null as is_active_window_defaulted,
        cast(source.onboarded_at as {{ dbt.type_timestamp() }}) as onboarded_at,
        {{ sendwise.row_as_json('source') }} as raw_record
    from source
    left join known_time_zones
        on lower(trim(source.timezone)) = known_time_zones.time_zone_lower
),

checked as (
    select
        normalised.*,
        case
            when normalised.page_key is null then 'missing_page_name'
            when
                normalised.time_zone is null
                or normalised.time_zone not in (select known_time_zones.time_zone from known_time_zones)
                then 'invalid_timezone'
            when
                normalised.active_from_hour not between 0 and 23
                or normalised.active_to_hour not between 0 and 23
                -- from > to is a window past midnight (22 to 6); from = to could mean one hour or the whole day
                or normalised.active_from_hour = normalised.active_to_hour
                then 'invalid_active_window'
        end as row_problem
    from normalised
),

-- copies of a page numbered usable ones first (then by onboarding and name): a page whose earlier
-- row has a bad time zone keeps its good row instead of losing it as a duplicate of the bad one
numbered as (
    select
        checked.*,
        row_number() over (
            partition by checked.page_key
            order by
                case when checked.row_problem is null then 0 else 1 end,
                checked.onboarded_at,
                checked.page_name_raw
        ) as page_copy_number
    from checked
)

select
    numbered.*,
    coalesce(
        numbered.row_problem,
        case when numbered.page_copy_number > 1 then 'duplicate_page_name' end
    ) as rejection_reason
from numbered
