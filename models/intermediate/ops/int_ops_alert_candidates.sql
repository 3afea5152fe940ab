-- Every alert condition that holds at this build (docs/operations.md), one row per alert: rule,
-- severity, page (null for agency-wide rules), subject (the source table, QC rule or model), the
-- observed value, the threshold it broke, a sentence, and the mart to look at. Each rule (or family of
-- closely related rules) is one small model under models/intermediate/ops/alerts/ with its thresholds
-- (settings alert_*) and severity; this model only unions them and keys each alert:
--   int_ops_alerts_data_quality    data_quality_low (critical)
--   int_ops_alerts_template_qc     template_tier1_violation (critical)
--   int_ops_alerts_eros            eros_score_low, eros_score_drop, execution_rate_low (warnings)
--   int_ops_alerts_revenue_model   revenue_model_r2_below_baseline, revenue_model_coverage_drift,
--                                  revenue_model_total_off (warnings)
--   int_ops_alerts_sources         source_stale (critical or warning), raw_table_shrank (critical)
--   int_ops_alerts_quota           quota_short (warning)
-- A value exactly at a threshold does not alert.
with alerts as (
    -- every alert model has the columns rule_id, severity, page_key, subject, observed, threshold,
    -- detail, look_at (in this order)
    select * from {{ ref('int_ops_alerts_data_quality') }}
    union all
    select * from {{ ref('int_ops_alerts_template_qc') }}
    union all
    select * from {{ ref('int_ops_alerts_eros') }}
    union all
    select * from {{ ref('int_ops_alerts_revenue_model') }}
    union all
    select * from {{ ref('int_ops_alerts_sources') }}
    union all
    select * from {{ ref('int_ops_alerts_quota') }}
),

final as (
    select
        cast({{ dbt.hash(dbt.concat([
            'rule_id', "'|'", "coalesce(page_key, '')", "'|'", "coalesce(subject, '')"
        ])) }} as {{ dbt.type_string() }}) as alert_key,
        cast(rule_id as {{ dbt.type_string() }}) as rule_id,
        cast(severity as {{ dbt.type_string() }}) as severity,
        cast(page_key as {{ dbt.type_string() }}) as page_key,
        cast(subject as {{ dbt.type_string() }}) as subject,
        cast(observed as {{ dbt.type_float() }}) as observed,
        cast(threshold as {{ dbt.type_float() }}) as threshold,
        cast(detail as {{ dbt.type_string() }}) as detail,
        cast(look_at as {{ dbt.type_string() }}) as look_at
    from alerts
)

select * from final
