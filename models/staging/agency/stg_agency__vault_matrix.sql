{#- A table, not a view like the rest of staging: the unpivot is one union branch per category
    (about 49), and the ranking and the template QC read the vault many times in one query;
    BigQuery would re-run the whole union at every read once the view is inlined. -#}
{{ config(materialized='table') }}
-- The vault unpivoted to one row per (page, content category). The categories are the boolean
-- columns the source declares; a null cell means "not available" (the contract says so).
{%- set categories = sendwise.source_columns('agency', 'vault_matrix', exclude=['page_name']) %}

with vault as (
    select * from {{ ref('base_agency__vault_matrix') }}
    where rejection_reason is null
),

unpivoted as (
    {%- for category in categories %}
        select
            vault.page_key,
            '{{ category }}' as content_category,
            coalesce(vault.{{ category }}, false) as is_available,
            vault.{{ category }} is null as is_null_in_source
        from vault
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select
    {{ dbt.concat(['page_key', "'|'", 'content_category']) }} as vault_key,
    page_key,
    content_category,
    is_available,
    is_null_in_source
from unpivoted
