{%- set spec = sendwise.fact_spec('mass_messages') %}
{{ config(
    materialized='incremental',
    incremental_strategy=('merge' if target.type == 'bigquery' else 'append'),
    on_schema_change='sync_all_columns',
    pre_hook={"sql": "{{ sendwise.fact_days_delete(sendwise.fact_spec('mass_messages')) }}", "transaction": false}
) }}
-- Every raw send, typed and normalised, with the one reason (if any) it is quarantined.
-- stg_agency__mass_messages keeps the rows without a reason; stg_agency__mass_messages_rejected the rest.
-- Built by day (macros/sendwise/fact_days.sql): a daily build reads and writes only the days it
-- rebuilds (the new day, the lookback, days whose raw rows changed, and every day holding a copy of
-- a row id of those days: the duplicate rule below numbers a row id's copies across days, so they
-- are read from every day); rules_as_of and rules_key record what each verdict was made under.
with
{%- if is_incremental() %}
days_to_build as (
    {{ sendwise.fact_days_changed(spec.source_relation, spec.source_ts, spec.ts) }}
),

keys_to_build as (
    select distinct {{ sendwise.fact_copy_key('source_rows.row_id') }} as copy_key
    from {{ source('agency', 'mass_messages') }} as source_rows
    {{ sendwise.fact_rows_to_build('source_rows.sending_time') }}
),
{%- endif %}

source as (
    select source_rows.*
    from {{ source('agency', 'mass_messages') }} as source_rows
    {%- if is_incremental() %}
    inner join keys_to_build on {{ sendwise.fact_copy_key('source_rows.row_id') }} = keys_to_build.copy_key
    {%- endif %}
),

normalised as (
    select
        source.row_id as send_id,
        source.page_name as page_name_raw,
        {{ sendwise.normalize_page_key('source.page_name') }} as page_key,
        source.message as message_raw,
        {{ sendwise.normalize_caption_text('source.message') }} as caption_text_normalized,
        {{ sendwise.caption_hash('source.message') }} as caption_hash,
        cast(source.sending_time as {{ dbt.type_timestamp() }}) as sent_at,
        cast(coalesce(source.price, 0) as {{ dbt.type_float() }}) as price,
        source.price is null as is_price_missing,
        cast(source.sent_count as {{ dbt.type_bigint() }}) as sent_count,
        cast(source.viewed_count as {{ dbt.type_bigint() }}) as viewed_count,
        cast(source.purchased_count as {{ dbt.type_bigint() }}) as purchased_count,
        cast(source.earnings as {{ dbt.type_float() }}) as earnings,
        nullif(trim(lower(source.message_type)), '') as message_type,
        source.message_type as message_type_raw,
        row_number() over (
            partition by source.row_id
            order by
                source.sent_count desc,
                source.viewed_count desc,
                source.purchased_count desc,
                source.earnings desc,
                source.sending_time asc,
                source.message asc
        ) as row_id_copy_number,
        {{ sendwise.row_as_json('source') }} as raw_record,
        {{ sendwise.fact_day('source.sending_time') }} as fact_day,
        {{ sendwise.as_of() }} as rules_as_of,
        {{ sendwise.fact_rules_key(spec.setting_names) }} as rules_key,
        {{ sendwise.fact_batch() }} as fact_batch
    from source
),

flagged as (
    select
        *,
        case
            when send_id is null or trim(send_id) = '' then 'missing_row_id'
            when page_key is null then 'missing_page_name'
            when sent_at is null then 'missing_sending_time'
            when sent_at > {{ sendwise.as_of() }} then 'future_sending_time'
            -- bounds from settings_modeling (section 2 staging): a bad number never reaches a
            -- window, a variance or a test (NaN and inf fail every comparison differently per engine)
            when sent_at < {{ sendwise.oldest_plausible_at() }} then 'implausible_date'
            when not {{ sendwise.is_finite('price') }} or not coalesce({{ sendwise.is_finite('earnings') }}, true)
                then 'non_finite_metric'
            when price < 0 then 'negative_price'
            when
                sent_count < 0 or viewed_count < 0 or purchased_count < 0 or earnings < 0
                then 'negative_metric'
            when price > {{ sendwise.setting('raw_max_price') }} then 'implausible_price'
            when earnings > {{ sendwise.setting('raw_max_earnings') }} then 'implausible_earnings'
            when sent_count is null or viewed_count is null or purchased_count is null then 'missing_counts'
            when viewed_count > sent_count then 'viewed_exceeds_sent'
            when purchased_count > viewed_count then 'purchased_exceeds_viewed'
            when
                message_type is null
                or message_type not in ('ppv', 'free', 'tip', 'renew', 'bump')
                then 'invalid_message_type'
            when row_id_copy_number > 1 then 'duplicate_row_id'
        end as rejection_reason
    from normalised
)

select flagged.*
from flagged
{{ sendwise.fact_rows_to_build('flagged.sent_at') }}
