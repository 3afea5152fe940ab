-- Per page, the raw facts its data-quality score is made of, over the last dq_window_days:
-- raw rows (clean + quarantined, from the base model), quarantined rows, rows with a missing
-- field, PPV sends linked to a library caption, the newest clean send, and whether the page has
-- a valid pages row and a vault row.
with raw_sends as (
    select
        page_key,
        rejection_reason,
        sent_at
    from {{ ref('base_agency__mass_messages') }}
    where
        page_key is not null
        and (sent_at is null or sent_at >= {{ sendwise.window_start('dq_window_days') }})
),

clean_sends as (
    select
        page_key,
        is_ppv,
        is_caption_in_bank,
        sent_at
    from {{ ref('int_mass_messages_enriched') }}
    where sent_at >= {{ sendwise.window_start('dq_window_days') }}
),

pages as (
    select page_key from {{ ref('stg_agency__pages') }}
),

vault_pages as (
    select distinct page_key from {{ ref('stg_agency__vault_matrix') }}
),

raw_counts as (
    select
        page_key,
        cast(count(*) as {{ dbt.type_bigint() }}) as raw_rows,
        cast(sum(case when rejection_reason is not null then 1 else 0 end) as {{ dbt.type_bigint() }}) as rejected_rows,
        cast(sum(
            case
                when rejection_reason in ('missing_sending_time', 'missing_counts', 'invalid_message_type') then 1
                else 0
            end
        ) as {{ dbt.type_bigint() }}) as incomplete_rows
    from raw_sends
    group by 1
),

clean_counts as (
    select
        page_key,
        cast(sum(case when is_ppv then 1 else 0 end) as {{ dbt.type_bigint() }}) as ppv_sends,
        cast(
            sum(case when is_ppv and is_caption_in_bank then 1 else 0 end) as {{ dbt.type_bigint() }}
        ) as ppv_sends_linked,
        max(sent_at) as last_sent_at
    from clean_sends
    group by 1
),

all_pages as (
    select page_key from pages
    union distinct
    select page_key from raw_counts
),

final as (
    select
        all_pages.page_key,
        pages.page_key is not null as has_page_row,
        vault_pages.page_key is not null as has_vault_row,
        coalesce(raw_counts.raw_rows, 0) as raw_rows,
        coalesce(raw_counts.rejected_rows, 0) as rejected_rows,
        coalesce(raw_counts.incomplete_rows, 0) as incomplete_rows,
        coalesce(clean_counts.ppv_sends, 0) as ppv_sends,
        coalesce(clean_counts.ppv_sends_linked, 0) as ppv_sends_linked,
        clean_counts.last_sent_at,
        case
            when clean_counts.last_sent_at is not null then {{ sendwise.age_days('clean_counts.last_sent_at') }}
        end as days_since_last_send
    from all_pages
    left join pages on all_pages.page_key = pages.page_key
    left join vault_pages on all_pages.page_key = vault_pages.page_key
    left join raw_counts on all_pages.page_key = raw_counts.page_key
    left join clean_counts on all_pages.page_key = clean_counts.page_key
)

select * from final
