-- Portability check of the page-local time conversions (macros/cross_db/local_time.sql), run by
-- pytests/foundation/test_local_time_portability.py: compiled for DuckDB and for BigQuery, run on
-- DuckDB and on BigQuery's own evaluator (ZetaSQL), both must turn every local time into the instant
-- the tz database gives (Python's zoneinfo, fold = 0) and back. The local times run every 30 minutes
-- from 22:00 the evening before to 04:00 on days the clocks change in 2026: forward (a skipped hour)
-- and back (a repeated hour) in New York, Paris, Sydney, Lord Howe (half an hour) and Santiago (at
-- midnight), and one day in Tokyo (no change). No refs: the cases are literal.
{%- set cases = [
    ('America/New_York', '2026-03-08'), ('America/New_York', '2026-11-01'),
    ('Europe/Paris', '2026-03-29'), ('Europe/Paris', '2026-10-25'),
    ('Australia/Sydney', '2026-10-04'), ('Australia/Sydney', '2026-04-05'),
    ('Australia/Lord_Howe', '2026-10-04'), ('Australia/Lord_Howe', '2026-04-05'),
    ('America/Santiago', '2026-09-06'), ('America/Santiago', '2026-04-05'),
    ('Asia/Tokyo', '2026-03-08'),
] %}

with days as (
    {%- for zone, day in cases %}
        select
            '{{ zone }}' as time_zone,
            cast('{{ day }}' as date) as local_date
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

steps as (
    -- generate_series yields a float on BigQuery: minutes must come from an integer on both
    select cast(generated_number as {{ dbt.type_int() }}) as step
    from ({{ dbt.generate_series(13) }}) as series
),

local_times as (
    select
        days.time_zone,
        {{ dbt.dateadd(
            'minute', '30 * steps.step - 150', 'cast(days.local_date as ' ~ dbt.type_timestamp() ~ ')'
        ) }} as local_at
    from days
    cross join steps
),

converted as (
    select
        time_zone,
        local_at,
        {{ sendwise.from_local_timestamp('local_at', 'time_zone') }} as utc_at
    from local_times
)

select
    time_zone,
    local_at,
    utc_at,
    {{ sendwise.to_local_timestamp('utc_at', 'time_zone') }} as local_again
from converted
