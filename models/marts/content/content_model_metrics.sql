-- The two content predictors side by side: coefficients, test metrics beside their naive
-- baselines, the value imputed for missing inputs and the time-split counts (the model cards of
-- ml_engagement_model and ml_follow_through_model).
with engagement_card as (
    select * from {{ ref('ml_engagement_model') }}
),

follow_through_card as (
    select * from {{ ref('ml_follow_through_model') }}
),

unioned as (
    select * from engagement_card
    union all
    select * from follow_through_card
),

final as (
    select
        model_name,
        record_type,
        term,
        cast(model_value as {{ dbt.type_float() }}) as model_value,
        cast(baseline_value as {{ dbt.type_float() }}) as baseline_value,
        cast(model_value - baseline_value as {{ dbt.type_float() }}) as difference_vs_baseline,
        beats_baseline,
        fit_status,
        target,
        baseline_description,
        cast(train_cutoff_at as {{ dbt.type_timestamp() }}) as train_cutoff_at
    from unioned
)

select
    final.*,
    -- the build's as_of and start time: a mart not rebuilt by a failed build shows its old stamp
    {{ sendwise.build_stamp() }}
from final
