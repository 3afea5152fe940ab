-- Data-quality score 0-100 per page: completeness, validity, freshness and sample size, each
-- worth its weight in points (settings). Pages under data_quality_min_score get no schedule.
with inputs as (
    select * from {{ ref('int_page_data_quality_inputs') }}
),

components as (
    select
        page_key,
        has_page_row,
        has_vault_row,
        raw_rows,
        rejected_rows,
        ppv_sends,
        last_sent_at,
        days_since_last_send,
        -- completeness: mean of four 0/1-or-share facts
        (
            case when has_page_row then 1.0 else 0.0 end
            + case when has_vault_row then 1.0 else 0.0 end
            + coalesce({{ sendwise.safe_divide('ppv_sends_linked', 'ppv_sends') }}, 0.0)
            + coalesce(1.0 - {{ sendwise.safe_divide('incomplete_rows', 'raw_rows') }}, 0.0)
        ) / 4.0 as completeness,
        coalesce(1.0 - {{ sendwise.safe_divide('rejected_rows', 'raw_rows') }}, 0.0) as validity,
        case
            when days_since_last_send is null then 0.0
            else {{ sendwise.clamp(
                '1.0 - (days_since_last_send - ' ~ sendwise.setting('dq_freshness_days') ~ ') / (3.0 * '
                ~ sendwise.setting('dq_freshness_days') ~ ')', '0.0', '1.0') }}
        end as freshness,
        {{ sendwise.clamp(
            'log10(1.0 + ppv_sends) / log10(1.0 + ' ~ sendwise.setting('dq_min_sends_90d') ~ ')',
            '0.0', '1.0') }} as sample_size
    from inputs
),

scored as (
    select
        *,
        {{ sendwise.setting('dq_weight_completeness') }} * completeness
        + {{ sendwise.setting('dq_weight_validity') }} * validity
        + {{ sendwise.setting('dq_weight_freshness') }} * freshness
        + {{ sendwise.setting('dq_weight_sample_size') }} * sample_size as data_quality_score
    from components
),

final as (
    select
        page_key,
        {{ sendwise.round_float('data_quality_score', 2) }} as data_quality_score,
        {{ sendwise.round_float('completeness', 4) }} as completeness,
        {{ sendwise.round_float('validity', 4) }} as validity,
        {{ sendwise.round_float('freshness', 4) }} as freshness,
        {{ sendwise.round_float('sample_size', 4) }} as sample_size,
        has_page_row and data_quality_score >= {{ sendwise.setting('data_quality_min_score') }} as is_schedulable,
        case
            when not has_page_row then 'no valid row in agency.pages'
            when data_quality_score >= {{ sendwise.setting('data_quality_min_score') }} then null
            when freshness = 0 then 'no recent sends'
            when sample_size < 0.5 then 'too few PPV sends'
            when validity < 0.8 then 'too many quarantined rows'
            else 'incomplete data'
        end as blocking_reason,
        raw_rows,
        rejected_rows,
        ppv_sends,
        last_sent_at,
        {{ sendwise.as_of() }} as computed_at
    from scored
)

select
    final.*,
    -- the build's as_of and start time: a mart not rebuilt by a failed build shows its old stamp
    {{ sendwise.build_stamp() }}
from final
