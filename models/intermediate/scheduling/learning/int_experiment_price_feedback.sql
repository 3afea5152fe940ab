-- The price ladder's feedback from the price experiment (docs/operations.md): one row, the
-- recommended_ladder_shift of the running experiment (setting experiment_price_id) computed by the
-- latest earlier build's experiment_results (experiment_results_history, computed_for_as_of < as_of), 0
-- when there is none. The history is downstream of the ladder, so it is read as the table a previous build left
-- (sendwise.prior_build_relation: no ref, no DAG edge); only builds before as_of count, so rebuilding
-- the same as_of gives the same ladder.
{%- set prior = sendwise.prior_build_relation('experiment_results_history') %}

with parameters as (
    select {{ sendwise.setting_text('experiment_price_id') }} as experiment_id
),

prior_results as (
    {%- if prior is not none %}
        select
            computed_for_as_of,
            experiment_id,
            recommended_ladder_shift
        from {{ prior }}
        where computed_for_as_of < {{ sendwise.as_of() }}
    {%- else %}
        select
            cast(null as {{ dbt.type_timestamp() }}) as computed_for_as_of,
            cast(null as {{ dbt.type_string() }}) as experiment_id,
            cast(null as {{ dbt.type_float() }}) as recommended_ladder_shift
        from parameters
        where 1 = 0
    {%- endif %}
),

latest as (
    select
        prior_results.computed_for_as_of,
        prior_results.recommended_ladder_shift,
        row_number() over (order by prior_results.computed_for_as_of desc) as recency
    from prior_results
    inner join parameters on prior_results.experiment_id = parameters.experiment_id
),

final as (
    select
        parameters.experiment_id,
        latest.computed_for_as_of as results_computed_for_as_of,
        cast(coalesce(latest.recommended_ladder_shift, 0) as {{ dbt.type_float() }}) as price_shift
    from parameters
    left join latest on latest.recency = 1
)

select * from final
