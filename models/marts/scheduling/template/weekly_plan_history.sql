-- PLACEHOLDER (owner: the captions helper; the lead deletes this file and
-- _weekly_plan_history_placeholder.yml at merge): the contract's columns of weekly_plan_history,
-- typed, with no rows, so eros_score can be built before the real incremental model exists.
with typed_nulls as (
    select
        cast(null as {{ dbt.type_string() }}) as plan_history_key,
        cast(null as {{ dbt.type_string() }}) as template_slot_key,
        cast(null as {{ dbt.type_timestamp() }}) as generated_for_as_of,
        cast(null as {{ dbt.type_string() }}) as page_key,
        cast(null as {{ dbt.type_string() }}) as page_name,
        cast(null as {{ dbt.type_string() }}) as time_zone,
        cast(null as date) as plan_date,
        cast(null as {{ dbt.type_bigint() }}) as day_index,
        cast(null as {{ dbt.type_string() }}) as day_name,
        cast(null as {{ dbt.type_bigint() }}) as slot_number,
        cast(null as datetime) as send_local_at,
        cast(null as {{ dbt.type_string() }}) as send_time_local,
        cast(null as {{ dbt.type_timestamp() }}) as send_at_utc,
        cast(null as {{ dbt.type_bigint() }}) as local_hour,
        cast(null as {{ dbt.type_string() }}) as message_type,
        cast(null as {{ dbt.type_float() }}) as price,
        cast(null as {{ dbt.type_string() }}) as caption_id,
        cast(null as {{ dbt.type_string() }}) as caption_hash,
        cast(null as {{ dbt.type_string() }}) as caption_text,
        cast(null as {{ dbt.type_string() }}) as content_category,
        cast(null as {{ dbt.type_string() }}) as content_kind,
        cast(null as {{ dbt.type_bigint() }}) as caption_family,
        cast(null as {{ dbt.type_float() }}) as score_final,
        cast(null as {{ dbt.type_bigint() }}) as caption_rank,
        cast(null as {{ dbt.type_float() }}) as expected_revenue,
        cast(null as {{ dbt.type_float() }}) as expected_revenue_low,
        cast(null as {{ dbt.type_float() }}) as expected_revenue_high,
        cast(null as {{ dbt.type_string() }}) as revenue_source,
        cast(null as {{ dbt.type_float() }}) as confidence,
        cast(null as {{ dbt.type_boolean() }}) as is_prime_hour,
        cast(null as {{ dbt.type_string() }}) as strategy_note
),

final as (
    select *
    from typed_nulls
    where plan_history_key is not null
)

select * from final
