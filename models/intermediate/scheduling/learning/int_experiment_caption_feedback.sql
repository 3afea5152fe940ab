-- The caption ranking's feedback from the caption experiment (docs/operations.md, docs/ranking.md): one row,
-- the recommended_exploration_shift of the running experiment (setting experiment_caption_id) computed by
-- the latest earlier build's experiment_results (experiment_results_history, computed_for_as_of < as_of), 0
-- when there is none; exploration_multiplier = 1 + that shift. The ranking (int_ranking_slots) multiplies the
-- UCB sigma and the caption Empirical-Bayes prior strength prior_nu_buy by it. The history is downstream of
-- the ranking, so it is read as the table a previous build left (macro latest_experiment_recommendation, as
-- int_experiment_price_feedback does for the ladder: no ref, no DAG edge); only builds before as_of count, so
-- rebuilding the same as_of gives the same ranking. A history written before the caption experiment existed
-- has no recommended_exploration_shift column: no feedback then.
with recommendation as (
    {{ sendwise.latest_experiment_recommendation('experiment_caption_id', 'recommended_exploration_shift') }}
),

final as (
    select
        experiment_id,
        results_computed_for_as_of,
        shift as exploration_shift,
        cast(1 + shift as {{ dbt.type_float() }}) as exploration_multiplier
    from recommendation
)

select * from final
