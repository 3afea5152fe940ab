-- How good the revenue model is, honestly: on the holdout sends (the last gbm_holdout_days before
-- as_of, never seen in training) the GBM and two baselines (the page x local-hour mean of the
-- training window; the page's revenue per PPV send over the 28 days before the cutoff) are scored
-- per page and overall. R^2 = 1 - SSE / SST (SST around the scope's
-- holdout mean; null when SST = 0), MAE = mean |actual - predicted|, MAPE = mean |actual -
-- predicted| / actual over the sends with actual revenue > 0 only (undefined at zero; mape_sends
-- says how many), interval coverage = share of actuals inside the GBM's quantile interval,
-- predicted_to_actual = sum predicted / sum actual (calibration in the large: 1 when the predictor
-- gets the scope's total right; null when the scope earned nothing). A predictor can have the
-- lowest MAE while under-predicting the total (on skewed revenue a low guess is often closer), so
-- the ratio is read beside it: a week's expected revenue is a sum.
with holdout as (
    select
        page_key,
        actual_revenue,
        predicted_revenue,
        predicted_revenue_low,
        predicted_revenue_high,
        baseline_revenue,
        baseline_28d_revenue,
        model_version,
        train_sends
    from {{ ref('ml_revenue_gbm_scores') }}
    where score_kind = 'holdout'
),

predictions as (
    select
        'gbm' as predictor,
        page_key,
        actual_revenue,
        predicted_revenue as predicted,
        case
            when predicted_revenue_low is null then null
            when actual_revenue >= predicted_revenue_low and actual_revenue <= predicted_revenue_high then 1.0
            else 0.0
        end as is_in_interval
    from holdout
    union all
    select
        'naive_page_hour_mean' as predictor,
        page_key,
        actual_revenue,
        baseline_revenue as predicted,
        cast(null as {{ dbt.type_float() }}) as is_in_interval
    from holdout
    union all
    select
        'page_28d_revenue_per_send' as predictor,
        page_key,
        actual_revenue,
        baseline_28d_revenue as predicted,
        cast(null as {{ dbt.type_float() }}) as is_in_interval
    from holdout
),

scoped as (
    select
        predictor,
        'page' as metric_scope,
        page_key,
        actual_revenue,
        predicted,
        is_in_interval
    from predictions
    union all
    select
        predictor,
        'overall' as metric_scope,
        cast(null as {{ dbt.type_string() }}) as page_key,
        actual_revenue,
        predicted,
        is_in_interval
    from predictions
),

scope_means as (
    select
        predictor,
        metric_scope,
        coalesce(page_key, '') as page_group,
        avg(actual_revenue) as mean_actual
    from scoped
    group by 1, 2, 3
),

errors as (
    select
        scoped.predictor,
        scoped.metric_scope,
        scoped.page_key,
        scoped.actual_revenue,
        scoped.is_in_interval,
        scoped.predicted,
        abs(scoped.actual_revenue - scoped.predicted) as abs_error,
        (scoped.actual_revenue - scoped.predicted) * (scoped.actual_revenue - scoped.predicted) as squared_error,
        (scoped.actual_revenue - scope_means.mean_actual) * (scoped.actual_revenue - scope_means.mean_actual)
            as squared_deviation,
        case
            when scoped.actual_revenue > 0
                then abs(scoped.actual_revenue - scoped.predicted) / scoped.actual_revenue
        end as abs_pct_error
    from scoped
    inner join scope_means
        on
            scoped.predictor = scope_means.predictor
            and scoped.metric_scope = scope_means.metric_scope
            and coalesce(scoped.page_key, '') = scope_means.page_group
),

aggregated as (
    select
        predictor,
        metric_scope,
        page_key,
        count(*) as holdout_sends,
        avg(actual_revenue) as mean_actual_revenue,
        avg(predicted) as mean_predicted_revenue,
        sum(actual_revenue) as actual_total,
        sum(predicted) as predicted_total,
        sum(squared_error) as sse,
        sum(squared_deviation) as sst,
        avg(abs_error) as mae,
        avg(abs_pct_error) as mape,
        count(abs_pct_error) as mape_sends,
        avg(is_in_interval) as interval_coverage
    from errors
    group by 1, 2, 3
),

final as (
    select
        {{ dbt.concat(['predictor', "'|'", 'metric_scope', "'|'", "coalesce(page_key, '*')"]) }} as metrics_key,
        predictor,
        metric_scope,
        page_key,
        holdout_sends,
        mean_actual_revenue,
        mean_predicted_revenue,
        {{ sendwise.safe_divide('predicted_total', 'actual_total') }} as predicted_to_actual,
        1 - {{ sendwise.safe_divide('sse', 'sst') }} as r2,
        mae,
        mape,
        mape_sends,
        interval_coverage,
        (select max(holdout.model_version) from holdout) as model_version,
        (select max(holdout.train_sends) from holdout) as train_sends
    from aggregated
)

select
    final.*,
    -- the build's as_of and start time: a mart not rebuilt by a failed build shows its old stamp
    {{ sendwise.build_stamp() }}
from final
