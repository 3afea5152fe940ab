-- The revenue model's alerts (warnings, agency-wide; docs/operations.md), from the overall hold-out
-- metrics of ml_revenue_model_metrics:
--   revenue_model_r2_below_baseline  hold-out R^2 of the GBM < the naive page x hour baseline's
--   revenue_model_coverage_drift     |interval coverage - (gbm_quantile_high - gbm_quantile_low)|
--                                    > alert_coverage_tolerance (compared at 6 decimals)
--   revenue_model_total_off          the GBM's hold-out total is off the actual one by more than
--                                    alert_revenue_total_tolerance t: predicted_to_actual > 1 + t or
--                                    < 1 / (1 + t) (compared at 6 decimals; a flexible fit of few
--                                    sends once under-predicted by 16 % with the lowest MAE, docs/ml.md)
-- A value exactly at a threshold does not alert.
with model_metrics as (
    select
        predictor,
        r2,
        interval_coverage,
        predicted_to_actual,
        holdout_sends
    from {{ ref('ml_revenue_model_metrics') }}
    where metric_scope = 'overall'
),

parameters as (
    select
        {{ sendwise.setting('alert_coverage_tolerance') }} as coverage_tolerance,
        {{ sendwise.setting('gbm_quantile_high') }} - {{ sendwise.setting('gbm_quantile_low') }} as nominal_coverage,
        1 + {{ sendwise.setting('alert_revenue_total_tolerance') }} as total_ratio_limit
),

model_pairs as (
    select
        max(case when predictor = 'gbm' then r2 end) as gbm_r2,
        max(case when predictor = 'naive_page_hour_mean' then r2 end) as baseline_r2,
        max(case when predictor = 'gbm' then interval_coverage end) as coverage,
        max(case when predictor = 'gbm' then predicted_to_actual end) as total_ratio,
        max(case when predictor = 'gbm' then holdout_sends end) as holdout_sends
    from model_metrics
),

final as (
    select
        'revenue_model_r2_below_baseline' as rule_id,
        'warning' as severity,
        cast(null as {{ dbt.type_string() }}) as page_key,
        'ml_revenue_model' as subject,
        model_pairs.gbm_r2 as observed,
        model_pairs.baseline_r2 as threshold,
        {{ dbt.concat([
            "'hold-out R2 of the revenue model '", sendwise.format_number('model_pairs.gbm_r2', 3),
            "' is below that of the naive page x hour baseline, '", sendwise.format_number('model_pairs.baseline_r2', 3),
            "' ('", 'cast(model_pairs.holdout_sends as ' ~ dbt.type_string() ~ ')', "' hold-out sends)'"
        ]) }} as detail,
        'ml_revenue_model_metrics' as look_at
    from model_pairs
    where model_pairs.gbm_r2 < model_pairs.baseline_r2
    union all
    select
        'revenue_model_coverage_drift' as rule_id,
        'warning' as severity,
        cast(null as {{ dbt.type_string() }}) as page_key,
        'ml_revenue_model' as subject,
        model_pairs.coverage as observed,
        parameters.nominal_coverage as threshold,
        {{ dbt.concat([
            "'hold-out interval coverage of the revenue model '", sendwise.format_number('model_pairs.coverage', 3),
            "' is more than '", sendwise.format_number('parameters.coverage_tolerance', 2),
            "' off its nominal '", sendwise.format_number('parameters.nominal_coverage', 2)
        ]) }} as detail,
        'ml_revenue_model_metrics' as look_at
    from model_pairs
    cross join parameters
    where
        {{ sendwise.round_float('abs(model_pairs.coverage - parameters.nominal_coverage)', 6) }}
        > parameters.coverage_tolerance
    union all
    select
        'revenue_model_total_off' as rule_id,
        'warning' as severity,
        cast(null as {{ dbt.type_string() }}) as page_key,
        'ml_revenue_model' as subject,
        model_pairs.total_ratio as observed,
        -- the limit on the side the ratio is off
        case
            when model_pairs.total_ratio > 1 then parameters.total_ratio_limit
            else 1 / parameters.total_ratio_limit
        end as threshold,
        {{ dbt.concat([
            "'hold-out revenue predicted by the revenue model is '", sendwise.format_number('model_pairs.total_ratio', 3),
            "' times the actual revenue ('", 'cast(model_pairs.holdout_sends as ' ~ dbt.type_string() ~ ')',
            "' hold-out sends): its expected revenue figures are off by as much'"
        ]) }} as detail,
        'ml_revenue_model_metrics' as look_at
    from model_pairs
    cross join parameters
    where
        {{ sendwise.round_float('model_pairs.total_ratio', 6) }}
        > {{ sendwise.round_float('parameters.total_ratio_limit', 6) }}
        or {{ sendwise.round_float('model_pairs.total_ratio * parameters.total_ratio_limit', 6) }} < 1
)

select * from final
