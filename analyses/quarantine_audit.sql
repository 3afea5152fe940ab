-- Run by hand (dbt compile, then execute the compiled SQL): quarantined rows per source and
-- reason over the last build, with one example raw record each.
with rejected as (
    select
        source_table,
        rejection_reason,
        raw_record,
        row_number() over (partition by source_table, rejection_reason order by rejected_row_key) as example_rank
    from {{ ref('rejected_rows') }}
),

final as (
    select
        source_table,
        rejection_reason,
        count(*) as rejected_rows,
        max(case when example_rank = 1 then raw_record end) as example_raw_record
    from rejected
    group by 1, 2
)

select * from final
order by 1 asc, 3 desc
