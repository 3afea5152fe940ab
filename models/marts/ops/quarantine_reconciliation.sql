-- Per raw source: raw rows = clean rows + quarantined rows, with the count per reason.
-- (The quarantine_reconciles test on each source proves the same against the source itself.)
with raw_counts as (
    select
        'agency.mass_messages' as source_table,
        count(*) as raw_rows
    from {{ ref('base_agency__mass_messages') }}
    union all
    select
        'agency.caption_bank' as source_table,
        count(*) as raw_rows
    from {{ ref('base_agency__caption_bank') }}
    union all
    select
        'agency.vault_matrix' as source_table,
        count(*) as raw_rows
    from {{ ref('base_agency__vault_matrix') }}
    union all
    select
        'agency.pages' as source_table,
        count(*) as raw_rows
    from {{ ref('base_agency__pages') }}
    union all
    select
        'chat.chat_logs' as source_table,
        count(*) as raw_rows
    from {{ ref('base_chat__chat_logs') }}
    union all
    select
        'content.content_metadata' as source_table,
        count(*) as raw_rows
    from {{ ref('base_content__content_metadata') }}
    union all
    select
        'content.outcomes' as source_table,
        count(*) as raw_rows
    from {{ ref('base_content__outcomes') }}
),

clean_counts as (
    select
        'agency.mass_messages' as source_table,
        count(*) as clean_rows
    from {{ ref('stg_agency__mass_messages') }}
    union all
    select
        'agency.caption_bank' as source_table,
        count(*) as clean_rows
    from {{ ref('stg_agency__caption_bank') }}
    union all
    select
        'agency.vault_matrix' as source_table,
        count(distinct page_key) as clean_rows
    from {{ ref('stg_agency__vault_matrix') }}
    union all
    select
        'agency.pages' as source_table,
        count(*) as clean_rows
    from {{ ref('stg_agency__pages') }}
    union all
    select
        'chat.chat_logs' as source_table,
        count(*) as clean_rows
    from {{ ref('stg_chat__chat_logs') }}
    union all
    select
        'content.content_metadata' as source_table,
        count(*) as clean_rows
    from {{ ref('stg_content__content_metadata') }}
    union all
    select
        'content.outcomes' as source_table,
        count(*) as clean_rows
    from {{ ref('stg_content__outcomes') }}
),

reason_counts as (
    select
        source_table,
        rejection_reason,
        count(*) as reason_rows
    from {{ ref('rejected_rows') }}
    group by 1, 2
),

rejected_counts as (
    select
        source_table,
        cast(sum(reason_rows) as {{ dbt.type_bigint() }}) as rejected_rows,
        {{ dbt.listagg(
            dbt.concat(['rejection_reason', "'='", 'cast(reason_rows as ' ~ dbt.type_string() ~ ')']),
            "', '", "order by rejection_reason") }} as rejected_by_reason
    from reason_counts
    group by 1
),

final as (
    select
        raw_counts.source_table,
        raw_counts.raw_rows,
        clean_counts.clean_rows,
        coalesce(rejected_counts.rejected_rows, 0) as rejected_rows,
        raw_counts.raw_rows = clean_counts.clean_rows + coalesce(rejected_counts.rejected_rows, 0) as is_reconciled,
        rejected_counts.rejected_by_reason
    from raw_counts
    inner join clean_counts on raw_counts.source_table = clean_counts.source_table
    left join rejected_counts on raw_counts.source_table = rejected_counts.source_table
)

select
    final.*,
    -- the build's as_of and start time: a mart not rebuilt by a failed build shows its old stamp
    {{ sendwise.build_stamp() }}
from final
