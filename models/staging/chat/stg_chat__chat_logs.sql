{{ config(
    materialized='incremental',
    incremental_strategy=('merge' if target.type == 'bigquery' else 'append'),
    on_schema_change='sync_all_columns',
    pre_hook={"sql": "{{ sendwise.derived_days_delete(ref('base_chat__chat_logs')) }}", "transaction": false},
    partition_by=sendwise.fact_partition_by('message_at'),
    cluster_by=sendwise.fact_cluster_by()
) }}
-- Clean chat rows, one per message exchange, keyed by chat_row_id. The unit of analysis is the
-- fan-model pair (fan_model_key): one fan id talking to two models is two relationships.
-- Placeholders ("Media", "GIF") and tip texts ("I sent you a $20.00 tip") are recognised.
-- Built by day after its base model (macros/sendwise/fact_days.sql): a daily build rewrites the days
-- the base model rebuilt (fact_batch), and every day when this file's code changed (code_key).
with chats as (
    select * from ({{ sendwise.derived_rows(ref('base_chat__chat_logs')) }}) as base_rows
    where rejection_reason is null
),

classified as (
    select
        row_hash as chat_row_id,
        {{ dbt.concat(['fan_id', "'|'", 'page_key']) }} as fan_model_key,
        fan_id,
        page_key,
        model_name,
        chatter_name,
        message_at,
        fan_message,
        chatter_message,
        has_html_entities,
        fan_message = '' as is_fan_message_empty,
        lower(fan_message) in ('media', '[media]') as is_media_placeholder,
        lower(fan_message) in ('gif', '[gif]') as is_gif_placeholder,
        {{ sendwise.regexp_contains('lower(fan_message)', "'sent you a [$][0-9]+([.][0-9]+)? tip'") }} as is_tip_text,
        {{ dbt.safe_cast(
            sendwise.regexp_extract_group('fan_message', "'[$]([0-9]+(?:[.][0-9]+)?) tip'"),
            dbt.type_float()) }} as tip_amount_in_text,
        price,
        price > 0 as is_offer,
        purchased and price > 0 as is_purchase,
        purchased,
        purchased and price <= 0 as is_purchase_without_offer,
        tips,
        revenue,
        abs(revenue - (case when purchased then price else 0 end + tips)) < 0.005 as is_revenue_consistent,
        fact_day,
        fact_batch,
        '{{ local_md5(model.raw_code) }}' as code_key
    from chats
),

final as (
    select
        classified.*,
        case
            when classified.is_fan_message_empty then 'empty'
            when classified.is_media_placeholder then 'media'
            when classified.is_gif_placeholder then 'gif'
            when classified.is_tip_text then 'tip'
            else 'text'
        end as fan_message_kind,
        -- a tip notice and the tips column agree (within half a cent); true when neither has a tip
        case
            when classified.is_tip_text
                then coalesce(abs(classified.tip_amount_in_text - classified.tips) < 0.005, false)
            else classified.tips = 0
        end as is_tip_consistent
    from classified
)

select * from final
