-- One row per violation of a QC rule by the weekly template (docs/template_qc.md has the table).
-- The rules are the seed template_qc_rules (rule_id, tier, severity, description, the docs/ section
-- each enforces); each rule (or family of closely related rules) is one small model under
-- models/intermediate/scheduling/template/qc/ reading the re-derived sends of int_template_qc_sends
-- and the template's inputs. This model only unions them and takes each rule's tier from the seed:
-- a rule missing from the seed gets a null tier, which the tier's not_null test reports.
with rules as (
    select
        rule_id,
        tier
    from {{ ref('template_qc_rules') }}
),

violations as (
    -- every rule model has the columns rule_id, page_key, plan_date, slot_number, discriminator,
    -- observed, limit_value, detail (in this order)
    select * from {{ ref('int_template_qc_vault_violations') }}
    union all
    select * from {{ ref('int_template_qc_duplicate_captions') }}
    union all
    select * from {{ ref('int_template_qc_price_violations') }}
    union all
    select * from {{ ref('int_template_qc_gap_violations') }}
    union all
    select * from {{ ref('int_template_qc_daily_volume_violations') }}
    union all
    select * from {{ ref('int_template_qc_window_violations') }}
    union all
    select * from {{ ref('int_template_qc_cross_page_captions') }}
    union all
    select * from {{ ref('int_template_qc_page_week_shares') }}
    union all
    select * from {{ ref('int_template_qc_confidence_violations') }}
    union all
    select * from {{ ref('int_template_qc_day_caps') }}
    union all
    select * from {{ ref('int_template_qc_freshness_violations') }}
    union all
    select * from {{ ref('int_template_qc_no_templates') }}
    union all
    select * from {{ ref('int_template_qc_calendar_adjustments') }}
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            'violations.rule_id', "'|'", 'violations.page_key', "'|'",
            "coalesce(cast(violations.plan_date as " ~ dbt.type_string() ~ "), '')", "'|'",
            "coalesce(cast(violations.slot_number as " ~ dbt.type_string() ~ "), '')", "'|'",
            "coalesce(violations.discriminator, '')"
        ])) }} as violation_key,
        cast(violations.rule_id as {{ dbt.type_string() }}) as rule_id,
        cast(rules.tier as {{ dbt.type_bigint() }}) as tier,
        cast(violations.page_key as {{ dbt.type_string() }}) as page_key,
        cast(violations.plan_date as date) as plan_date,
        cast(violations.slot_number as {{ dbt.type_bigint() }}) as slot_number,
        cast(violations.observed as {{ dbt.type_float() }}) as observed,
        cast(violations.limit_value as {{ dbt.type_float() }}) as limit_value,
        cast(violations.detail as {{ dbt.type_string() }}) as detail,
        {{ sendwise.as_of() }} as generated_for_as_of
    from violations
    left join rules on violations.rule_id = rules.rule_id
)

select
    final.*,
    -- the build's as_of and start time: a mart not rebuilt by a failed build shows its old stamp
    {{ sendwise.build_stamp() }}
from final
