{{ config(
    materialized='incremental',
    incremental_strategy=('merge' if target.type == 'bigquery' else 'append'),
    on_schema_change='sync_all_columns',
    pre_hook={"sql": "{{ sendwise.history_keys_delete(ref('stg_chat__chat_logs'), 'fan_id', 'message_at',
        ['conversation_gap_hours'], sendwise.page_time_zones()) }}", "transaction": false},
    partition_by=sendwise.fact_partition_by('message_at'),
    cluster_by=sendwise.fact_cluster_by()
) }}
-- Every clean chat row up to as_of, placed in its conversation and its stage.
-- Conversations: a fan's rows in time order (across all the models the fan talks to); a new
-- conversation starts at the fan's first row, when the model differs from the fan's previous
-- row (a model switch, whatever the gap) or when the gap to the previous row is strictly over
-- conversation_gap_hours. A conversation therefore never mixes fans or models.
-- Row order everywhere: message_at, then page_key (rows of one second stay grouped by model),
-- then chat_row_id (duplicate timestamps are ordered deterministically).
-- Stages (per fan-model pair, sale = a bought PPV offer): 1 = first row up to and including the
-- first sale (all rows when there is no sale); 2 = after the first sale up to and including the
-- last sale (only with 2+ sales); 3 = after the last sale. A sale row closes the stage it ends.
-- Built by fan (macros/sendwise/fact_days.sql, history_keys_delete): every window here is over one
-- fan's rows, so a daily build rewrites only the fans with a row on a day the staging rebuilt (or
-- that as_of moved over), the fans of a page whose time zone changed, and every fan when this
-- file's code or conversation_gap_hours changed (rules_key); the other fans' rows stay as they are.
with chat_rows as (
    {{ sendwise.history_rows(ref('stg_chat__chat_logs'), 'fan_id', 'message_at') }}
),

pages as (
    select
        page_key,
        time_zone
    from {{ ref('stg_agency__pages') }}
),

fan_ordered as (
    select
        chat_rows.*,
        lag(chat_rows.page_key) over (
            partition by chat_rows.fan_id
            order by chat_rows.message_at, chat_rows.page_key, chat_rows.chat_row_id
        ) as previous_page_key,
        lag(chat_rows.message_at) over (
            partition by chat_rows.fan_id
            order by chat_rows.message_at, chat_rows.page_key, chat_rows.chat_row_id
        ) as previous_message_at
    from chat_rows
),

boundaries as (
    select
        *,
        case
            when previous_page_key is null then true
            when previous_page_key <> page_key then true
            when {{ sendwise.epoch_seconds('message_at') }} - {{ sendwise.epoch_seconds('previous_message_at') }}
                > {{ sendwise.setting('conversation_gap_hours') }} * 3600 then true
            else false
        end as is_conversation_start
    from fan_ordered
),

numbered as (
    select
        *,
        sum(case when is_conversation_start then 1 else 0 end) over (
            partition by fan_id
            order by message_at, page_key, chat_row_id
            rows between unbounded preceding and current row
        ) as fan_conversation_seq,
        row_number() over (
            partition by fan_model_key
            order by message_at, chat_row_id
        ) as pair_row_number
    from boundaries
),

conversation_starts as (
    select
        *,
        min(message_at) over (partition by fan_id, fan_conversation_seq) as conversation_started_at
    from numbered
),

staged as (
    select
        conversation_starts.*,
        {{ dbt.hash(dbt.concat([
            'conversation_starts.fan_model_key', "'|'",
            sendwise.format_timestamp('conversation_starts.conversation_started_at', '%Y-%m-%d %H:%M:%S')
        ])) }} as conversation_id,
        min(case when conversation_starts.is_purchase then conversation_starts.pair_row_number end)
            over (partition by conversation_starts.fan_model_key) as first_sale_row_number,
        max(case when conversation_starts.is_purchase then conversation_starts.pair_row_number end)
            over (partition by conversation_starts.fan_model_key) as last_sale_row_number,
        -- pages are optional (a chat log alone builds the fan analytics): a page without a row in
        -- agency.pages, or no agency.pages at all, reads its local times in UTC
        coalesce(pages.time_zone, 'UTC') as time_zone,
        {{ sendwise.to_local_timestamp('conversation_starts.message_at', "coalesce(pages.time_zone, 'UTC')") }}
            as message_local_at
    from conversation_starts
    left join pages on conversation_starts.page_key = pages.page_key
),

final as (
    select
        chat_row_id,
        fan_model_key,
        fan_id,
        page_key,
        model_name,
        chatter_name,
        conversation_id,
        row_number() over (
            partition by conversation_id
            order by message_at, chat_row_id
        ) as conversation_row_number,
        pair_row_number,
        is_conversation_start,
        cast(case
            when first_sale_row_number is null then 1
            when pair_row_number <= first_sale_row_number then 1
            when pair_row_number <= last_sale_row_number then 2
            else 3
        end as {{ dbt.type_bigint() }}) as stage,  -- noqa: RF04
        message_at,
        message_local_at,
        extract(hour from message_local_at) as local_hour,
        fan_message,
        fan_message_kind,
        chatter_message,
        price,
        is_offer,
        is_purchase,
        case when is_purchase then price else 0 end as ppv_revenue,
        tips,
        case when is_purchase then price else 0 end + tips as revenue,
        time_zone,
        fact_day,
        fact_batch,
        {{ sendwise.fact_rules_key(['conversation_gap_hours']) }} as rules_key
    from staged
)

select * from final
