-- The four personalization weights lie inside their ranges from settings_modeling, and the UCB sigma
-- multiplier the ranking applies is exploration_rate / exploration_rate_reference.
with weights as (
    select * from {{ ref('page_personalization_weights') }}
),

parameters as (
    select
        {{ sendwise.setting('weight_volume_min') }} as weight_volume_min,
        {{ sendwise.setting('weight_volume_max') }} as weight_volume_max,
        {{ sendwise.setting('weight_price_min') }} as weight_price_min,
        {{ sendwise.setting('weight_price_max') }} as weight_price_max,
        {{ sendwise.setting('weight_hours_min') }} as weight_hours_min,
        {{ sendwise.setting('weight_hours_max') }} as weight_hours_max,
        {{ sendwise.setting('exploration_rate_min') }} as exploration_rate_min,
        {{ sendwise.setting('exploration_rate_max') }} as exploration_rate_max,
        {{ sendwise.setting('exploration_rate_reference') }} as exploration_rate_reference
)

select weights.*
from weights
cross join parameters
where
    weights.weight_volume not between parameters.weight_volume_min and parameters.weight_volume_max
    or weights.weight_price not between parameters.weight_price_min and parameters.weight_price_max
    or weights.weight_hours not between parameters.weight_hours_min and parameters.weight_hours_max
    or weights.exploration_rate not between parameters.exploration_rate_min and parameters.exploration_rate_max
    or abs(weights.ucb_sigma_multiplier * parameters.exploration_rate_reference - weights.exploration_rate) > 1e-9
