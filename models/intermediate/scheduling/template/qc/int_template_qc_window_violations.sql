-- QC rule outside_active_window (docs/template_qc.md): the send's local hour (from send_at_utc and
-- the page's time zone) is outside the page's active window; a window that wraps past midnight
-- (20-3) is handled. A page missing from agency.pages (no time zone) is a violation too.
with sends as (
    select
        page_key,
        plan_date,
        slot_number,
        time_zone,
        active_from_hour,
        active_to_hour,
        local_hour
    from {{ ref('int_template_qc_sends') }}
),

final as (
    select
        'outside_active_window' as rule_id,
        page_key,
        plan_date,
        slot_number,
        cast(null as {{ dbt.type_string() }}) as discriminator,
        cast(local_hour as {{ dbt.type_float() }}) as observed,
        cast(null as {{ dbt.type_float() }}) as limit_value,
        case
            when time_zone is null then 'page not found in agency.pages'
            else {{ dbt.concat([
                "'local hour '", 'cast(local_hour as ' ~ dbt.type_string() ~ ')', "' outside the active window '",
                'cast(active_from_hour as ' ~ dbt.type_string() ~ ')', "'-'",
                'cast(active_to_hour as ' ~ dbt.type_string() ~ ')'
            ]) }}
        end as detail
    from sends
    where
        time_zone is null
        or not {{ sendwise.is_in_active_window('local_hour', 'active_from_hour', 'active_to_hour') }}
)

select * from final
