-- The freshness limits of every raw source of the project, as declared in the sources yml
-- (loaded_at_field, warn_after, error_after; table config over source config), read from the project
-- graph at compile time and converted to hours: one row per source (null limits without a rule).
-- int_source_freshness compares the sources' newest loaded rows with them.
with limits as (
    {%- set sources = [] %}
    {%- if execute %}
        {%- for node in graph.get('sources', {}).values() | sort(attribute='unique_id') %}
            {%- if node.package_name == project_name %}
                {%- do sources.append(node) %}
            {%- endif %}
        {%- endfor %}
    {%- endif %}
    {%- for node in sources %}
        {%- set warn_hours = sendwise.source_freshness_hours(node.source_name, node.name, 'warn_after') %}
        {%- set error_hours = sendwise.source_freshness_hours(node.source_name, node.name, 'error_after') %}
    select
        '{{ node.source_name }}.{{ node.name }}' as source_table,
        cast({{ "'" ~ node.loaded_at_field ~ "'" if node.loaded_at_field else 'null' }} as {{ dbt.type_string() }})
            as loaded_at_field,
        cast({{ 'null' if warn_hours is none else warn_hours }} as {{ dbt.type_float() }}) as warn_after_hours,
        cast({{ 'null' if error_hours is none else error_hours }} as {{ dbt.type_float() }}) as error_after_hours
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as source_table,
        cast(null as {{ dbt.type_string() }}) as loaded_at_field,
        cast(null as {{ dbt.type_float() }}) as warn_after_hours,
        cast(null as {{ dbt.type_float() }}) as error_after_hours
    from (select 1 as one) as nothing
    where 1 = 0
    {%- endfor %}
)

select * from limits
