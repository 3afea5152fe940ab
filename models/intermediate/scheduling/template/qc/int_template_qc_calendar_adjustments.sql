-- QC rule calendar_adjustment (docs/template_qc.md, docs/operations.md "Calendar"): a page-day that
-- is a public holiday of the page's country (its quota factor and hour ranking apply) or whose quota
-- the region's weekend rule changed (int_template_daily_quota); observed = the day's quota,
-- limit_value = the quota without the calendar.
with calendar_quotas as (
    select
        page_key,
        plan_date,
        iso_dow,
        hour_profile_dow,
        country_code,
        is_holiday,
        holiday_name,
        saturation_factor,
        daily_quota,
        quota_without_calendar
    from {{ ref('int_template_daily_quota') }}
),

final as (
    select
        'calendar_adjustment' as rule_id,
        calendar_quotas.page_key,
        calendar_quotas.plan_date,
        cast(null as {{ dbt.type_bigint() }}) as slot_number,
        cast(null as {{ dbt.type_string() }}) as discriminator,
        cast(calendar_quotas.daily_quota as {{ dbt.type_float() }}) as observed,
        cast(calendar_quotas.quota_without_calendar as {{ dbt.type_float() }}) as limit_value,
        {{ dbt.concat([
            "case when calendar_quotas.is_holiday then 'public holiday ' else 'regional weekend rule' end",
            "case when calendar_quotas.is_holiday then calendar_quotas.holiday_name else '' end",
            "' ('", "coalesce(calendar_quotas.country_code, '-')", "')'",
            "case when calendar_quotas.is_holiday then "
            ~ dbt.concat(["': saturation factor '", sendwise.format_number('calendar_quotas.saturation_factor', 2)])
            ~ " else '' end",
            "': quota '", 'cast(calendar_quotas.quota_without_calendar as ' ~ dbt.type_string() ~ ')',
            "' -> '", 'cast(calendar_quotas.daily_quota as ' ~ dbt.type_string() ~ ')',
            "case when calendar_quotas.hour_profile_dow <> calendar_quotas.iso_dow "
            ~ "then '; hours ranked on the profile of the last weekend day' else '' end"
        ]) }} as detail
    from calendar_quotas
    where
        calendar_quotas.is_holiday
        or calendar_quotas.daily_quota <> calendar_quotas.quota_without_calendar
)

select * from final
