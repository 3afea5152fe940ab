-- QC rule low_confidence (docs/template_qc.md): a send's confidence is below
-- low_confidence_threshold, or missing (a missing value is a violation, never a pass). The detail
-- shows the confidence cut (not rounded) to 2 decimals, so it never reads as the threshold itself
-- (0.2496 below 0.25 reads 0.24, not 0.25).
with sends as (
    select
        page_key,
        plan_date,
        slot_number,
        confidence
    from {{ ref('int_template_qc_sends') }}
),

parameters as (
    select {{ sendwise.setting('low_confidence_threshold') }} as low_confidence_threshold
),

final as (
    select
        'low_confidence' as rule_id,
        sends.page_key,
        sends.plan_date,
        sends.slot_number,
        cast(null as {{ dbt.type_string() }}) as discriminator,
        sends.confidence as observed,
        parameters.low_confidence_threshold as limit_value,
        case
            when sends.confidence is null then 'send without a confidence'
            else {{ dbt.concat([
                "'confidence '", sendwise.format_number(
                    'floor(' ~ sendwise.round_float('sends.confidence * 100', 6) ~ ') / 100', 2
                ),
                "' below the threshold'"
            ]) }}
        end as detail
    from sends
    cross join parameters
    where sends.confidence is null or sends.confidence < parameters.low_confidence_threshold
)

select * from final
