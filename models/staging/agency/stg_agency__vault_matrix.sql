{#- A table, not a view like the rest of staging: the unpivot is one union branch per category
    (about 49), and the ranking and the template QC read the vault many times in one query;
    BigQuery would re-run the whole union at every read once the view is inlined. -#}
{{ config(materialized='table') }}
-- The vault unpivoted to one row per (page, content category). The categories are the boolean
-- columns the raw table has (vault_category_columns: an agency keeps the categories it has, so a
-- column the YAML does not declare counts and a declared one may be absent); the category is the
-- column name in lower case. A null cell means "not available" (the contract says so).
{%- set categories = vault_category_columns() %}

with vault as (
    select * from {{ ref('base_agency__vault_matrix') }}
    where rejection_reason is null
),

unpivoted as (
    {%- for category in categories %}
        select
            vault.page_key,
            '{{ category | lower | replace("'", "") }}' as content_category,
            coalesce(vault.{{ adapter.quote(category) }}, false) as is_available,
            vault.{{ adapter.quote(category) }} is null as is_null_in_source
        from vault
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- else %}
        {#- a vault with no category column: no rows (every category unavailable) #}
        select
            vault.page_key,
            cast(null as {{ dbt.type_string() }}) as content_category,
            false as is_available,
            false as is_null_in_source
        from vault
        where false
    {%- endfor %}
)

select
    {{ dbt.concat(['page_key', "'|'", 'content_category']) }} as vault_key,
    page_key,
    content_category,
    is_available,
    is_null_in_source
from unpivoted
