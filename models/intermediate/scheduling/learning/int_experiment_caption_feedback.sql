-- The caption ranking's feedback from the caption experiment (docs/operations.md, docs/ranking.md): one row,
-- the recommended_exploration_shift of the running experiment (setting experiment_caption_id) computed by
-- the latest earlier build's experiment_results (experiment_results_history, computed_for_as_of < as_of), 0
-- when there is none; exploration_multiplier = 1 + that shift. The ranking (int_ranking_slots) multiplies the
-- UCB sigma and the caption Empirical-Bayes prior strength prior_nu_buy by it. The history is downstream of
-- the ranking, so it is read as the table a previous build left (sendwise.prior_build_relation: no ref, no
-- DAG edge), as int_experiment_price_feedback does for the ladder; only builds before as_of count, so
-- rebuilding the same as_of gives the same ranking. A history written before the caption experiment existed
-- has no recommended_exploration_shift column: no feedback then.
{%- set prior = sendwise.prior_build_relation('experiment_results_history') %}
{%- set has_shift = sendwise.relation_has_column(prior, 'recommended_exploration_shift') %}

with parameters as (
    select {{ sendwise.setting_text('experiment_caption_id') }} as experiment_id
),

prior_results as (
    {%- if prior is not none and has_shift %}
        select
            computed_for_as_of,
            experiment_id,
            recommended_exploration_shift
        from {{ prior }}
        where computed_for_as_of < {{ sendwise.as_of() }}
    {%- else %}
        select
            cast(null as {{ dbt.type_timestamp() }}) as computed_for_as_of,
            cast(null as {{ dbt.type_string() }}) as experiment_id,
            cast(null as {{ dbt.type_float() }}) as recommended_exploration_shift
        from parameters
        where 1 = 0
    {%- endif %}
),

latest as (
    select
        prior_results.computed_for_as_of,
        prior_results.recommended_exploration_shift,
        row_number() over (order by prior_results.computed_for_as_of desc) as recency
    from prior_results
    inner join parameters on prior_results.experiment_id = parameters.experiment_id
),

final as (
    select
        parameters.experiment_id,
        latest.computed_for_as_of as results_computed_for_as_of,
        cast(coalesce(latest.recommended_exploration_shift, 0) as {{ dbt.type_float() }}) as exploration_shift,
        cast(1 + coalesce(latest.recommended_exploration_shift, 0) as {{ dbt.type_float() }})
            as exploration_multiplier
    from parameters
    left join latest on latest.recency = 1
)

select * from final
