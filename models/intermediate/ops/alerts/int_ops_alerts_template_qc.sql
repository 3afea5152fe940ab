-- Alert template_tier1_violation (critical; docs/operations.md): one alert per page and QC rule with
-- tier-1 rows in weekly_template_qc_violations (the schedule must not be sent as is); observed is the
-- number of rows, the threshold 0.
with qc_tier1 as (
    select
        page_key,
        rule_id,
        detail
    from {{ ref('weekly_template_qc_violations') }}
    where tier = 1
),

tier1_counts as (
    select
        page_key,
        rule_id as qc_rule_id,
        count(*) as violations,
        min(detail) as first_detail
    from qc_tier1
    group by 1, 2
),

final as (
    select
        'template_tier1_violation' as rule_id,
        'critical' as severity,
        page_key,
        qc_rule_id as subject,
        cast(violations as {{ dbt.type_float() }}) as observed,
        cast(0 as {{ dbt.type_float() }}) as threshold,
        {{ dbt.concat([
            'cast(violations as ' ~ dbt.type_string() ~ ')', "' tier-1 '", 'qc_rule_id',
            "' row(s) in the template QC (the schedule must not be sent as is), e.g. '", 'first_detail'
        ]) }} as detail,
        'weekly_template_qc_violations' as look_at
    from tier1_counts
)

select * from final
