-- Every raw vault row (wide), with the one reason (if any) it is quarantined.
{#- vault_category_columns without the package prefix: a unit test can override it (it has no graph
    of sources). The categories are the boolean columns the table has (macros/ops/source_columns.sql). -#}
{%- set categories = vault_category_columns() %}
with source as (
    select * from {{ source('agency', 'vault_matrix') }}
),

keyed as (
    select
        source.*,
        {{ sendwise.normalize_page_key('source.page_name') }} as page_key,
        {{ sendwise.row_as_json('source') }} as raw_record
    from source
),

-- copies of a page numbered by name, then by the category flags in their declared order (false
-- before true, null last), so that which of two rows with the same name is kept depends neither on
-- the order the engine reads them in nor on the engine
flagged as (
    select
        keyed.*,
        row_number() over (
            partition by keyed.page_key
            order by
                keyed.page_name{% for category in categories %}
                    ,
                    keyed.{{ adapter.quote(category) }} nulls last{% endfor %}
        ) as page_copy_number
    from keyed
),

final as (
    select
        *,
        case
            when page_key is null then 'missing_page_name'
            when page_copy_number > 1 then 'duplicate_page_name'
        end as rejection_reason
    from flagged
)

select * from final
