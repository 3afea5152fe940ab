{{ config(
    materialized='incremental',
    incremental_strategy='merge',
    unique_key=['page_key', 'epoch_index'],
    full_refresh=false,
    on_schema_change='append_new_columns',
    cluster_by=(['page_key'] if target.type == 'bigquery' else none),
) }}
-- The knob learner's state of record: one row per active page per learning epoch (as_of cut into
-- learning_epoch_hours, 12 h, since 1970-01-01 UTC), append-only. Each row is one learning step:
-- the signals and verdicts of int_page_knob_signals applied to the state the page reached at its
-- previous step,
--     new = clamp(old + step, knob bounds)  when the gate is open,  new = old  otherwise.
-- * One step per epoch: a page that already has a row for this epoch (or a later one) is not
--   stepped again, so a rerun with the same as_of, or another run inside the same 12 hours,
--   changes nothing. Epochs without a run are not replayed (one step per run at most).
-- * full_refresh=false: `dbt build --full-refresh` keeps this table (dbt runs it incrementally),
--   so the learned state is never lost; page_knobs and learning_changelog are rebuilt from it.
-- * First build (no table yet): every active page starts from 0 / 0 / neutral.
with signals as (
    select * from {{ ref('int_page_knob_signals') }}
),

parameters as (
    select
        {{ sendwise.setting('quota_nudge_min') }} as quota_nudge_min,
        {{ sendwise.setting('quota_nudge_max') }} as quota_nudge_max,
        {{ sendwise.setting('hour_pool_nudge_min') }} as hour_pool_nudge_min,
        {{ sendwise.setting('hour_pool_nudge_max') }} as hour_pool_nudge_max,
        {{ sendwise.learning_epoch_index() }} as epoch_index
),

history as (
    -- every earlier step (none on the first build)
    {%- if is_incremental() %}
        select
            page_key,
            epoch_index,
            quota_nudge_new,
            hour_pool_nudge_new,
            price_mode_bias_new
        from {{ this }}
    {%- else %}
        select
            cast(null as {{ dbt.type_string() }}) as page_key,
            cast(null as {{ dbt.type_bigint() }}) as epoch_index,
            cast(null as {{ dbt.type_bigint() }}) as quota_nudge_new,
            cast(null as {{ dbt.type_bigint() }}) as hour_pool_nudge_new,
            cast(null as {{ dbt.type_string() }}) as price_mode_bias_new
        from parameters
        where false
    {%- endif %}
),

latest_steps as (
    select
        *,
        row_number() over (partition by page_key order by epoch_index desc) as recency
    from history
),

previous_state as (
    -- the state each page reached at its latest step
    select
        page_key,
        epoch_index as last_epoch_index,
        quota_nudge_new as quota_nudge,
        hour_pool_nudge_new as hour_pool_nudge,
        price_mode_bias_new as price_mode_bias
    from latest_steps
    where recency = 1
),

due as (
    -- pages not yet stepped in this epoch (nor in a later one: the state never moves backwards)
    select
        signals.*,
        parameters.epoch_index,
        parameters.quota_nudge_min,
        parameters.quota_nudge_max,
        parameters.hour_pool_nudge_min,
        parameters.hour_pool_nudge_max,
        previous_state.last_epoch_index,
        cast(coalesce(previous_state.quota_nudge, 0) as {{ dbt.type_bigint() }}) as quota_nudge_old,
        cast(coalesce(previous_state.hour_pool_nudge, 0) as {{ dbt.type_bigint() }}) as hour_pool_nudge_old,
        coalesce(previous_state.price_mode_bias, 'neutral') as price_mode_bias_old
    from signals
    cross join parameters
    left join previous_state on signals.page_key = previous_state.page_key
    where
        previous_state.last_epoch_index is null
        or previous_state.last_epoch_index < parameters.epoch_index
),

stepped as (
    select
        *,
        learning_gate = 'open' as is_step_applied,
        cast(
            case
                when learning_gate = 'open'
                    then {{ sendwise.clamp('quota_nudge_old + quota_step', 'quota_nudge_min', 'quota_nudge_max') }}
                else quota_nudge_old
            end as {{ dbt.type_bigint() }}
        ) as quota_nudge_new,
        cast(
            case
                when learning_gate = 'open'
                    then {{ sendwise.clamp(
                        'hour_pool_nudge_old + hour_pool_step', 'hour_pool_nudge_min', 'hour_pool_nudge_max'
                    ) }}
                else hour_pool_nudge_old
            end as {{ dbt.type_bigint() }}
        ) as hour_pool_nudge_new,
        case
            when learning_gate = 'open' and price_bias_verdict <> 'hold' then price_bias_verdict
            else price_mode_bias_old
        end as price_mode_bias_new
    from due
),

explained as (
    select
        *,
        case
            when learning_gate <> 'open' then concat('held (', gate_reason, '): ', quota_signal)
            when quota_nudge_new <> quota_nudge_old
                then concat(
                        quota_signal, '; quota_nudge ', cast(quota_nudge_old as {{ dbt.type_string() }}), ' -> ',
                        cast(quota_nudge_new as {{ dbt.type_string() }}),
                        case
                            when quota_nudge_old + quota_step <> quota_nudge_new
                                then concat(
                                        ' (clamped to the bounds [',
                                        {{ sendwise.format_number('quota_nudge_min', 0) }},
                                        ', ',
                                        {{ sendwise.format_number('quota_nudge_max', 0) }}, '])'
                                    )
                            else ''
                        end
                    )
            when quota_step <> 0
                then concat(
                        quota_signal, '; quota_nudge stays ', cast(quota_nudge_old as {{ dbt.type_string() }}),
                        ' (at its bound)'
                    )
            else quota_signal
        end as quota_reason,
        case
            when learning_gate <> 'open' then concat('held (', gate_reason, '): ', hour_pool_signal)
            when hour_pool_nudge_new <> hour_pool_nudge_old
                then concat(
                        hour_pool_signal,
                        '; hour_pool_nudge ',
                        cast(hour_pool_nudge_old as {{ dbt.type_string() }}),
                        ' -> ',
                        cast(hour_pool_nudge_new as {{ dbt.type_string() }}),
                        case
                            when hour_pool_nudge_old + hour_pool_step <> hour_pool_nudge_new
                                then concat(
                                        ' (clamped to the bounds [',
                                        {{ sendwise.format_number('hour_pool_nudge_min', 0) }},
                                        ', ',
                                        {{ sendwise.format_number('hour_pool_nudge_max', 0) }}, '])'
                                    )
                            else ''
                        end
                    )
            when hour_pool_step <> 0
                then concat(
                        hour_pool_signal,
                        '; hour_pool_nudge stays ',
                        cast(hour_pool_nudge_old as {{ dbt.type_string() }}),
                        ' (at its bound)'
                    )
            else hour_pool_signal
        end as hour_pool_reason,
        case
            when learning_gate <> 'open' then concat('held (', gate_reason, '): ', price_bias_signal)
            when price_mode_bias_new <> price_mode_bias_old
                then concat(
                        price_bias_signal, '; price_mode_bias ', price_mode_bias_old, ' -> ', price_mode_bias_new
                    )
            else price_bias_signal
        end as price_bias_reason
    from stepped
),

final as (
    select
        page_key,
        epoch_index,
        computed_at,
        learning_gate,
        is_step_applied,
        quota_nudge_old,
        quota_nudge_new,
        hour_pool_nudge_old,
        hour_pool_nudge_new,
        price_mode_bias_old,
        price_mode_bias_new,
        confidence,
        quota_step,
        hour_pool_step,
        price_bias_verdict,
        quota_reason,
        hour_pool_reason,
        price_bias_reason,
        sends_recent,
        sends_previous,
        earnings_recent,
        earnings_previous,
        earnings_lift,
        ppv_sends_recent,
        sell_rate,
        split_price,
        ppv_sends_high_price,
        ppv_sends_low_price,
        rps_high_price,
        rps_low_price,
        ppv_sends_both_windows,
        last_epoch_index as previous_epoch_index
    from explained
)

select * from final
