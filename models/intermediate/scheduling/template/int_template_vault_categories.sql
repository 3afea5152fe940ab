{{ config(materialized='table') }}
-- The page vaults materialised once for the template's checks: one row per (page, content category)
-- of stg_agency__vault_matrix, a view that unpivots the vault's category columns into one union
-- branch per category. Read as a table, the QC model (which reads the vault once per re-derived send
-- CTE) does not re-evaluate that union at every reference on BigQuery.
select
    page_key,
    content_category,
    is_available
from {{ ref('stg_agency__vault_matrix') }}
