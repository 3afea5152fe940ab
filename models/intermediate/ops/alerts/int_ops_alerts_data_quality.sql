-- Alert data_quality_low (critical; docs/operations.md): an active page whose data-quality score is
-- below alert_data_quality_min (a score exactly at the threshold does not alert).
with pages as (
    select
        page_key,
        is_active
    from {{ ref('stg_agency__pages') }}
),

quality as (
    select
        page_key,
        data_quality_score,
        blocking_reason
    from {{ ref('data_quality_by_page') }}
),

parameters as (
    select {{ sendwise.setting('alert_data_quality_min') }} as data_quality_min
),

final as (
    select
        'data_quality_low' as rule_id,
        'critical' as severity,
        quality.page_key,
        cast(null as {{ dbt.type_string() }}) as subject,
        quality.data_quality_score as observed,
        parameters.data_quality_min as threshold,
        {{ dbt.concat([
            "'data-quality score '", sendwise.format_number('quality.data_quality_score', 1),
            "' is below '", sendwise.format_number('parameters.data_quality_min', 0),
            "case when quality.blocking_reason is null then '' else concat(': ', quality.blocking_reason) end"
        ]) }} as detail,
        'data_quality_by_page' as look_at
    from quality
    inner join pages on quality.page_key = pages.page_key
    cross join parameters
    where pages.is_active and quality.data_quality_score < parameters.data_quality_min
)

select * from final
