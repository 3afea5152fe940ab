-- The price ladder's feedback from the price experiment (docs/operations.md): one row, the
-- recommended_ladder_shift of the running experiment (setting experiment_price_id) computed by the
-- latest earlier build's experiment_results (experiment_results_history, computed_for_as_of < as_of), 0
-- when there is none. The history is downstream of the ladder, so it is read as the table a previous build left
-- (macro latest_experiment_recommendation, through sendwise.prior_build_relation: no ref, no DAG edge); only
-- builds before as_of count, so rebuilding the same as_of gives the same ladder.
with recommendation as (
    {{ sendwise.latest_experiment_recommendation('experiment_price_id', 'recommended_ladder_shift') }}
),

final as (
    select
        experiment_id,
        results_computed_for_as_of,
        shift as price_shift
    from recommendation
)

select * from final
