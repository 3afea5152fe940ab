{{ config(severity='warn') }}
-- depends_on: {{ source('agency', 'vault_matrix') }}
-- The vault matrix's columns that are neither page_name nor boolean, one row each: they are not read
-- as categories (a notes or manager column of the spreadsheet, or a category landed as text; load it
-- with `sendwise load`, which reads a spreadsheet's marks as booleans). A warning, not an error: the
-- other categories still build. Without introspection (the BigQuery gate) the test has no rows.
{%- set ignored = [] -%}
{%- set columns = sendwise.vault_matrix_columns() -%}
{%- if columns is not none -%}
    {%- for column in columns if column.name | lower != 'page_name'
        and sendwise.column_type_family(column.dtype) != 'boolean' -%}
        {%- do ignored.append(column) -%}
    {%- endfor -%}
{%- endif %}
{%- for column in ignored %}
    select
        '{{ column.name | replace("'", "") }}' as ignored_column,
        '{{ column.dtype | replace("'", "") }}' as column_type
    union all
{%- endfor %}
select
    cast(null as {{ dbt.type_string() }}) as ignored_column,
    cast(null as {{ dbt.type_string() }}) as column_type
from (select 1 as no_row) as empty_branch
where false
