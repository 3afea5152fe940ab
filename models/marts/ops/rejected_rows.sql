-- Every quarantined raw row of every source, with its reason and the raw record as JSON.
{%- set rejected_models = [
    'stg_agency__mass_messages_rejected',
    'stg_agency__caption_bank_rejected',
    'stg_agency__vault_matrix_rejected',
    'stg_agency__pages_rejected',
    'stg_chat__chat_logs_rejected',
    'stg_content__content_metadata_rejected',
    'stg_content__outcomes_rejected',
] %}

with unioned as (
    {%- for model_name in rejected_models %}
        select
            source_table,
            rejected_row_key,
            rejection_reason,
            raw_record
        from {{ ref(model_name) }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select
        {{ dbt.concat(['source_table', "'|'", 'rejected_row_key']) }} as rejected_row_id,
        source_table,
        rejected_row_key,
        rejection_reason,
        raw_record,
        {{ sendwise.as_of() }} as quarantined_as_of
    from unioned
)

select
    final.*,
    -- the build's as_of and start time: a mart not rebuilt by a failed build shows its old stamp
    {{ sendwise.build_stamp() }}
from final
