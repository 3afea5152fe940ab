{%- set spec = sendwise.fact_spec('chat_logs') %}
{{ config(
    materialized='incremental',
    incremental_strategy=('merge' if target.type == 'bigquery' else 'append'),
    on_schema_change='sync_all_columns',
    pre_hook={"sql": "{{ sendwise.fact_days_delete(sendwise.fact_spec('chat_logs')) }}", "transaction": false}
) }}
-- Every raw chat row, typed and decoded, with the one reason (if any) it is quarantined.
-- The production log has no row id: a row is identified by the hash of its ten columns plus
-- its copy number among exact duplicates (typed columns printed by key_text, so the hash is the
-- same on DuckDB and BigQuery). Exact duplicates share their time, hence their day.
-- Built by day (macros/sendwise/fact_days.sql): a daily build reads and writes only the days it
-- rebuilds (the new day, the lookback, days whose raw rows changed); rules_as_of and rules_key
-- record what each row's verdict was made under.
with
{%- if is_incremental() %}
days_to_build as (
    {{ sendwise.fact_days_changed(spec.source_relation, spec.source_ts, spec.ts) }}
),
{%- endif %}

source as (
    select source_rows.*
    from {{ source('chat', 'chat_logs') }} as source_rows
    {{ sendwise.fact_rows_to_build('source_rows.datetime') }}
),

keyed as (
    select
        source.*,
        {{ dbt.hash(dbt.concat([
            "coalesce(source.chatter_name, '')", "'|'",
            "coalesce(source.model_name, '')", "'|'",
            "coalesce(source.fan_message, '')", "'|'",
            "coalesce(source.chatter_message, '')", "'|'",
            "coalesce(" ~ sendwise.key_text('source.price', 'float') ~ ", '')", "'|'",
            "coalesce(" ~ sendwise.key_text('source.purchased', 'boolean') ~ ", '')", "'|'",
            "coalesce(source.fan_id, '')", "'|'",
            "coalesce(" ~ sendwise.key_text('source.datetime', 'timestamp') ~ ", '')", "'|'",
            "coalesce(" ~ sendwise.key_text('source.tips', 'float') ~ ", '')", "'|'",
            "coalesce(" ~ sendwise.key_text('source.revenue', 'float') ~ ", '')"
        ])) }} as row_hash
    from source
),

normalised as (
    select
        keyed.row_hash,
        row_number() over (partition by keyed.row_hash order by keyed.row_hash) as copy_number,
        trim(keyed.fan_id) as fan_id,
        keyed.fan_id as fan_id_raw,
        trim(keyed.model_name) as model_name,
        {{ sendwise.normalize_page_key('keyed.model_name') }} as page_key,
        trim(keyed.chatter_name) as chatter_name,
        cast(keyed.datetime as {{ dbt.type_timestamp() }}) as message_at,
        keyed.fan_message as fan_message_raw,
        trim({{ sendwise.html_unescape("coalesce(keyed.fan_message, '')") }}) as fan_message,
        trim({{ sendwise.html_unescape("coalesce(keyed.chatter_message, '')") }}) as chatter_message,
        keyed.chatter_message <> {{ sendwise.html_unescape('keyed.chatter_message') }} as has_html_entities,
        cast(coalesce(keyed.price, 0) as {{ dbt.type_float() }}) as price,
        coalesce(keyed.purchased, false) as purchased,
        cast(coalesce(keyed.tips, 0) as {{ dbt.type_float() }}) as tips,
        cast(coalesce(keyed.revenue, 0) as {{ dbt.type_float() }}) as revenue,
        {{ sendwise.row_as_json('keyed') }} as raw_record,
        {{ sendwise.fact_day('keyed.datetime') }} as fact_day,
        {{ sendwise.as_of() }} as rules_as_of,
        {{ sendwise.fact_rules_key(spec.setting_names) }} as rules_key,
        {{ sendwise.fact_batch() }} as fact_batch
    from keyed
),

flagged as (
    select
        *,
        case
            when message_at is null then 'missing_datetime'
            when model_name is null or page_key is null then 'missing_model_name'
            when
                fan_id is null
                or not {{ sendwise.regexp_contains('fan_id', "'^[A-Za-z0-9][A-Za-z0-9_.-]+$'") }}
                then 'invalid_fan_id'
            -- bounds from settings_modeling (section 2 staging); offers and purchases that
            -- contradict each other never reach the fan analytics
            when message_at < {{ sendwise.oldest_plausible_at() }} then 'implausible_date'
            when
                not {{ sendwise.is_finite('price') }} or not {{ sendwise.is_finite('tips') }}
                or not {{ sendwise.is_finite('revenue') }}
                then 'non_finite_metric'
            when price < 0 or tips < 0 or revenue < 0 then 'negative_amount'
            when price > {{ sendwise.setting('raw_max_price') }} then 'implausible_price'
            when
                tips > {{ sendwise.setting('raw_max_tip') }}
                or revenue > {{ sendwise.setting('raw_max_price') }} + {{ sendwise.setting('raw_max_tip') }}
                then 'implausible_tip'
            when purchased and price = 0 then 'purchase_without_offer'
            when
                {{ sendwise.regexp_contains('fan_message', "'^System:'") }}
                or {{ sendwise.regexp_contains('chatter_message', "'^System:'") }}
                then 'system_message'
            when copy_number > 1 then 'exact_duplicate'
        end as rejection_reason
    from normalised
)

select * from flagged
