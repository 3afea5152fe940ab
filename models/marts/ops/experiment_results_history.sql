{{ config(**sendwise.as_of_history_config('computed_for_as_of')) }}
-- experiment_results of every build (incremental per computed_for_as_of, full_refresh false). The price
-- ladder reads the latest build before its own as_of from here (int_experiment_price_feedback).
select * from {{ ref('experiment_results') }}
