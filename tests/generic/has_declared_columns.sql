{#- The table has every column its YAML declares: a raw table whose loader dropped or renamed a
    column stops here with one line naming the table and the columns (an error of the test while it
    compiles, so the log says which; `dbt build` skips the models that read the table) instead of
    the base model failing on a binder error deep in its SQL.
    The columns are looked up while the test runs (adapter metadata: free on BigQuery); a table
    that does not exist gives no rows (optional sources read an empty stand-in; a required one
    fails in its base model, naming the table); compiled without introspection (the BigQuery
    gate), the test is its empty branch. -#}
{% test has_declared_columns(model) %}
    {%- set missing = [] -%}
    {%- set declared = sendwise.documented_columns(model) -%}
    {%- if declared is none and execute -%}
        {{ exceptions.raise_compiler_error("has_declared_columns on " ~ model ~ ": no columns declared in its YAML") }}
    {%- endif -%}
    {%- if execute and flags.INTROSPECT -%}
        {%- set relation = adapter.get_relation(database=model.database, schema=model.schema, identifier=model.identifier) -%}
        {%- if relation is not none -%}
            {%- set present = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
            {%- for name in declared if name not in present -%}
                {%- do missing.append(name) -%}
            {%- endfor -%}
            {%- if missing -%}
                {{ exceptions.raise_compiler_error(
                    relation ~ " has no column " ~ (missing | join(", ")) ~ " that its YAML declares"
                    ~ " (its loader dropped or renamed it; the models that read it are skipped)") }}
            {%- endif -%}
        {%- endif -%}
    {%- endif %}
    {#- nothing missing: a query with no rows, which the BigQuery gate analyses as it does any test #}
    select missing_column
    from (select cast(null as {{ dbt.type_string() }}) as missing_column) as declared_columns
    where missing_column is not null
{% endtest %}
