-- Predicted revenue per send for every scoring candidate (one row per scoring_key), with the
-- quantile interval and the naive page x hour baseline beside it. The weekly template reads
-- predicted_revenue as its expected revenue and the interval width for its confidence.
with scores as (
    select
        row_key as scoring_key,
        predicted_revenue,
        predicted_revenue_low,
        predicted_revenue_high,
        baseline_revenue,
        model_version,
        train_sends,
        train_last_sent_at
    from {{ ref('ml_revenue_gbm_scores') }}
    where score_kind = 'candidate'
),

candidates as (
    select
        scoring_key,
        candidate_source,
        page_key,
        slot_local_at,
        slot_at,
        local_date,
        local_hour,
        local_dow,
        price,
        content_category
    from {{ ref('int_revenue_scoring_candidates') }}
),

final as (
    select
        candidates.scoring_key,
        candidates.candidate_source,
        candidates.page_key,
        candidates.slot_local_at,
        candidates.slot_at,
        candidates.local_date,
        candidates.local_hour,
        candidates.local_dow,
        candidates.price,
        candidates.content_category,
        scores.predicted_revenue,
        scores.predicted_revenue_low,
        scores.predicted_revenue_high,
        scores.baseline_revenue,
        {{ sendwise.safe_divide(
            'scores.predicted_revenue_high - scores.predicted_revenue_low',
            'scores.predicted_revenue'
        ) }} as relative_interval_width,
        scores.model_version,
        scores.train_sends,
        scores.train_last_sent_at
    from candidates
    inner join scores on candidates.scoring_key = scores.scoring_key
)

select
    final.*,
    -- the build's as_of and start time: a mart not rebuilt by a failed build shows its old stamp
    {{ sendwise.build_stamp() }}
from final
