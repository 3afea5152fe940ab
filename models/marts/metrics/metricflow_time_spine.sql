-- The daily time spine MetricFlow needs for time-based joins (one row per day): from as_of -
-- metric_time_spine_days_back to as_of + metric_time_spine_days_ahead (settings). The integers come
-- from sendwise.integer_series (an INT64 series on BigQuery, where dbt's generate_series is FLOAT64).
with parameters as (
    select
        cast({{ sendwise.as_of() }} as date) as as_of_date,
        cast({{ sendwise.setting('metric_time_spine_days_back') }} as {{ dbt.type_bigint() }}) as days_back,
        cast({{ sendwise.setting('metric_time_spine_days_ahead') }} as {{ dbt.type_bigint() }}) as days_ahead
),

day_numbers as (
    {{ sendwise.integer_series(
        '(select parameters.days_back + parameters.days_ahead + 1 from parameters)', 'day_number'
    ) }}
),

final as (
    select
        cast(
            {{ dbt.dateadd('day', 'day_numbers.day_number - 1 - parameters.days_back', 'parameters.as_of_date') }}
            as date
        ) as date_day
    from day_numbers
    cross join parameters
)

select * from final
