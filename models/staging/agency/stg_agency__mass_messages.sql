{{ config(
    materialized='incremental',
    incremental_strategy=('merge' if target.type == 'bigquery' else 'append'),
    on_schema_change='sync_all_columns',
    pre_hook={"sql": "{{ sendwise.derived_days_delete(ref('base_agency__mass_messages')) }}", "transaction": false},
    partition_by=sendwise.fact_partition_by('sent_at'),
    cluster_by=sendwise.fact_cluster_by()
) }}
-- Clean sends: one row per send_id. Normalisations are flagged, never silent:
-- page_name_raw vs page_key, is_price_missing (null price = free message), message_raw vs caption_hash.
-- Built by day after its base model (macros/sendwise/fact_days.sql): a daily build rewrites the days
-- the base model rebuilt (fact_batch), and every day when this file's code changed (code_key).
with sends as (
    select * from ({{ sendwise.derived_rows(ref('base_agency__mass_messages')) }}) as base_rows
    where rejection_reason is null
),

final as (
    select
        send_id,
        page_key,
        page_name_raw,
        page_name_raw <> page_key as is_page_name_normalised,
        message_raw,
        caption_text_normalized,
        caption_hash,
        sent_at,
        price,
        is_price_missing,
        price = 0 as is_free,
        message_type,
        message_type_raw <> message_type as is_message_type_normalised,
        sent_count,
        viewed_count,
        purchased_count,
        coalesce(earnings, 0) as earnings,
        earnings is null as is_earnings_missing,
        fact_day,
        fact_batch,
        '{{ local_md5(model.raw_code) }}' as code_key
    from sends
)

select * from final
