-- STUB (foundation): neutral weights for every page until the learning issue computes them.
-- Interface: one row per page_key with weight_volume, weight_price, weight_hours, exploration_rate.
select
    page_key,
    cast(1.0 as {{ dbt.type_float() }}) as weight_volume,
    cast(1.0 as {{ dbt.type_float() }}) as weight_price,
    cast(1.0 as {{ dbt.type_float() }}) as weight_hours,
    cast({{ sendwise.setting('exploration_rate_reference') }} as {{ dbt.type_float() }}) as exploration_rate,
    {{ sendwise.as_of() }} as computed_at
from {{ ref('stg_agency__pages') }}
