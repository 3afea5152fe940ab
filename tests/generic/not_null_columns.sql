{#- None of the listed columns holds a null: one scan of the model for all of them (in place of one
    not_null test, and one scan, per column). Fails with one row per column that holds nulls:
    column_name and null_rows. A listed column the model's YAML does not document is a compile
    error (when the test can find the model in the graph); an empty list or a duplicate too.
    The rows get an alias (a subquery, so a `where:` config's subquery works too): on BigQuery an
    unqualified name that is also the table's name means the whole row, not the column. -#}
{% test not_null_columns(model, columns) %}

{%- if columns is string or columns is mapping or columns is not iterable or columns | length == 0 %}
    {{ exceptions.raise_compiler_error(
        "not_null_columns on " ~ model ~ ": `columns` must be a non-empty list of column names, got "
        ~ (columns | string)) }}
{%- endif %}
{%- set seen = [] %}
{%- for column in columns %}
    {%- if column | lower in seen %}
        {{ exceptions.raise_compiler_error(
            "not_null_columns on " ~ model ~ ": column '" ~ column ~ "' is listed twice") }}
    {%- endif %}
    {%- do seen.append(column | lower) %}
{%- endfor %}
{%- if execute %}
    {%- set documented = sendwise.documented_columns(model) %}
    {%- if documented is not none %}
        {%- set unknown = [] %}
        {%- for column in columns if column | lower not in documented %}
            {%- do unknown.append(column) %}
        {%- endfor %}
        {%- if unknown %}
            {{ exceptions.raise_compiler_error(
                "not_null_columns on " ~ model ~ ": unknown column(s) " ~ (unknown | join(', '))
                ~ " (not among the columns its YAML documents: " ~ (documented | join(', ')) ~ ")") }}
        {%- endif %}
    {%- endif %}
{%- endif %}

select
    column_name,
    null_rows
from (
    select
        listed.column_name,
        case listed.column_position
            {%- for column in columns %}
            when {{ loop.index }} then null_counts.null_rows_{{ loop.index }}
            {%- endfor %}
        end as null_rows
    from (
        select
            {%- for column in columns %}
            sum(case when dbt_test_rows.{{ column }} is null then 1 else 0 end) as null_rows_{{ loop.index }}
            {{- ',' if not loop.last }}
            {%- endfor %}
        from (select * from {{ model }}) as dbt_test_rows
    ) as null_counts
    cross join (
        {%- for column in columns %}
        select {{ loop.index }} as column_position, '{{ column }}' as column_name
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
    ) as listed
) as per_column
where null_rows > 0

{% endtest %}
