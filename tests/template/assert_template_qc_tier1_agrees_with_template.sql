-- The QC table and the template agree on tier 1: every blocking template rule (docs/template_qc.md) is re-checked here
-- directly from weekly_template_7d and its inputs, written independently of the QC model (anti-joins,
-- a canonical near-duplicate pair, a self-join for the previous send instead of lag), and the set
-- of (rule_id, page_key, plan_date, slot_number) must be exactly the QC table's tier-1 rows.
-- Any row returned is a disagreement (side says which table has it and the other lacks it).
with template as (
    select * from {{ ref('weekly_template_7d') }}
),

recheck_vault as (
    -- the template's (page, caption, category) must be a library caption of that category whose
    -- category the page's vault allows; joined from the template's rows, not from library x vault
    select
        'vault_violation' as rule_id,
        template.page_key,
        template.plan_date,
        template.slot_number
    from template
    left join {{ ref('stg_agency__caption_bank') }} as library
        on
            template.caption_id = library.caption_id
            and template.content_category = library.content_category
    left join {{ ref('stg_agency__vault_matrix') }} as vault
        on
            template.page_key = vault.page_key
            and library.content_category = vault.content_category
            and vault.is_available
    where vault.page_key is null
),

ordered as (
    select
        template.*,
        row_number() over (
            partition by template.page_key order by template.send_at_utc, template.plan_date, template.slot_number
        ) as week_order
    from template
),

recheck_duplicate as (
    select distinct
        'duplicate_caption' as rule_id,
        later.page_key,
        later.plan_date,
        later.slot_number
    from ordered as later
    inner join ordered as earlier
        on
            later.page_key = earlier.page_key
            and later.week_order > earlier.week_order
    left join {{ ref('caption_near_duplicates') }} as pair
        on
            case when later.caption_id < earlier.caption_id then later.caption_id else earlier.caption_id end
            = pair.caption_id
            and case when later.caption_id < earlier.caption_id then earlier.caption_id else later.caption_id end
            = pair.duplicate_caption_id
    where
        later.caption_id = earlier.caption_id
        or later.caption_hash = earlier.caption_hash
        or pair.caption_id is not null
),

recheck_price as (
    select
        'price_out_of_range' as rule_id,
        page_key,
        plan_date,
        slot_number
    from template
    where
        message_type = 'PPV'
        and not coalesce(
            price between {{ sendwise.setting('price_min') }} and {{ sendwise.setting('price_max') }}, false
        )
),

previous_send as (
    select
        later.page_key,
        later.plan_date,
        later.slot_number,
        max(later.send_at_utc) as send_at_utc,
        max(earlier.send_at_utc) as previous_send_at_utc
    from ordered as later
    inner join ordered as earlier
        on
            later.page_key = earlier.page_key
            and later.plan_date = earlier.plan_date
            and later.week_order > earlier.week_order
    group by 1, 2, 3
),

recheck_gap as (
    select
        'gap_below_min' as rule_id,
        page_key,
        plan_date,
        slot_number
    from previous_send
    where
        {{ sendwise.epoch_seconds('send_at_utc') }} - {{ sendwise.epoch_seconds('previous_send_at_utc') }}
        < 3600 * {{ sendwise.setting('min_gap_hours') }}
),

day_quota as (
    select
        quota.page_key,
        quota.plan_date,
        quota.daily_quota
    from {{ ref('int_template_daily_quota') }} as quota
    inner join {{ ref('data_quality_by_page') }} as quality
        on quota.page_key = quality.page_key
    where quality.is_schedulable
),

template_day_sends as (
    select
        page_key,
        plan_date,
        count(*) as sends
    from template
    group by 1, 2
),

recheck_quota as (
    select
        'over_quota' as rule_id,
        template_day_sends.page_key,
        template_day_sends.plan_date,
        cast(null as {{ dbt.type_bigint() }}) as slot_number
    from template_day_sends
    left join day_quota
        on
            template_day_sends.page_key = day_quota.page_key
            and template_day_sends.plan_date = day_quota.plan_date
    where template_day_sends.sends > coalesce(day_quota.daily_quota, 0)
),

rechecked as (
    select * from recheck_vault
    union all
    select * from recheck_duplicate
    union all
    select * from recheck_price
    union all
    select * from recheck_gap
    union all
    select * from recheck_quota
),

qc as (
    select
        rule_id,
        page_key,
        plan_date,
        slot_number
    from {{ ref('weekly_template_qc_violations') }}
    where tier = 1
),

final as (
    select
        case when qc.rule_id is null then 'recheck only' else 'qc only' end as side,
        coalesce(rechecked.rule_id, qc.rule_id) as rule_id,
        coalesce(rechecked.page_key, qc.page_key) as page_key,
        coalesce(rechecked.plan_date, qc.plan_date) as plan_date,
        coalesce(rechecked.slot_number, qc.slot_number) as slot_number
    from rechecked
    full outer join qc
        on
            rechecked.rule_id = qc.rule_id
            and rechecked.page_key = qc.page_key
            and coalesce(rechecked.plan_date, cast('1900-01-01' as date))
            = coalesce(qc.plan_date, cast('1900-01-01' as date))
            and coalesce(rechecked.slot_number, -1) = coalesce(qc.slot_number, -1)
    where rechecked.rule_id is null or qc.rule_id is null
)

select * from final
