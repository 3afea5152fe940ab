{#- On a source: raw rows = clean rows + quarantined rows. Fails with one row showing the three
    counts when they disagree. clean_rows_expr counts a long model (e.g. the unpivoted vault) in
    raw units. -#}
{% test quarantine_reconciles(model, clean_model, rejected_model, clean_rows_expr='count(*)') %}

with counts as (
    select
        -- a raw table that may be absent (optional_source) counts 0 rows
        (select count(*) from {{ sendwise.relation_or_empty(model) }}) as raw_rows,
        (select {{ clean_rows_expr }} from {{ clean_model }}) as clean_rows,
        (select count(*) from {{ rejected_model }}) as rejected_rows
)

select *
from counts
where raw_rows <> clean_rows + rejected_rows

{% endtest %}
