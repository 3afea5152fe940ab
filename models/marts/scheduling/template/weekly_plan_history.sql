{{ config(
    materialized='incremental',
    incremental_strategy=('insert_overwrite' if target.type == 'bigquery' else 'delete+insert'),
    unique_key=(none if target.type == 'bigquery' else ['generated_for_as_of']),
    partition_by=({'field': 'generated_for_as_of', 'data_type': 'timestamp', 'granularity': 'hour'}
        if target.type == 'bigquery' else none),
    full_refresh=false,
    on_schema_change='append_new_columns',
) }}
-- Every generated week kept (docs/template.md): the rows of weekly_template_7d,
-- keyed by (generated_for_as_of, template_slot_key). A build replaces the rows of its own as_of
-- (DuckDB: delete+insert on generated_for_as_of; BigQuery: insert_overwrite of the as_of's hourly
-- partition, so two as_of values less than an hour apart share a partition) and keeps every other
-- week. full_refresh=false: `dbt build --full-refresh` keeps the history. The experiment columns
-- (ladder_price, experiment_id, experiment_arm, propensity of the price; control_caption_id,
-- caption_propensity and control_caption_propensity of the caption) are the log the experiment_results
-- mart and an offline policy evaluation (sendwise replay with a propensity column) read. Columns added
-- later are appended to an existing history (on_schema_change); older generations have them null.
with template as (
    select * from {{ ref('weekly_template_7d') }}
),

final as (
    select
        cast({{ dbt.hash(dbt.concat([
            sendwise.format_timestamp('generated_for_as_of', '%Y-%m-%d %H:%M:%S'), "'|'", 'template_slot_key'
        ])) }} as {{ dbt.type_string() }}) as plan_history_key,
        template_slot_key,
        generated_for_as_of,
        page_key,
        page_name,
        time_zone,
        plan_date,
        day_index,
        day_name,
        slot_number,
        send_local_at,
        send_time_local,
        send_at_utc,
        local_hour,
        message_type,
        price,
        caption_id,
        caption_hash,
        caption_text,
        content_category,
        content_kind,
        caption_family,
        score_final,
        caption_rank,
        expected_revenue,
        expected_revenue_low,
        expected_revenue_high,
        revenue_source,
        confidence,
        is_prime_hour,
        strategy_note,
        ladder_price,
        experiment_id,
        experiment_arm,
        propensity,
        control_caption_id,
        caption_propensity,
        control_caption_propensity
    from template
)

select
    final.*,
    -- the build's as_of and start time: a mart not rebuilt by a failed build shows its old stamp
    {{ sendwise.build_stamp() }}
from final
