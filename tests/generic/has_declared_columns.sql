{#- The table has every column its YAML declares, of the declared type's family
    (column_type_family: a number column may hold whole numbers): a raw table whose loader dropped,
    renamed or retyped a column (prices landed as text) stops here with one line naming the table
    and the columns (an error of the test while it compiles, so the log says which; `dbt build`
    skips the models that read the table) instead of the base model failing on a binder error deep
    in its SQL.
    The columns are looked up while the test runs (adapter metadata: free on BigQuery); a table
    that does not exist gives no rows (optional sources read an empty stand-in; a required one
    fails in its base model, naming the table); compiled without introspection (the BigQuery
    gate), the test is its empty branch.
    required_columns (optional): only these must be present; the other declared columns are checked
    for their type when present (the vault matrix: page_name, and whichever categories the agency
    keeps). -#}
{% test has_declared_columns(model, required_columns=none) %}
    {%- set missing = [] -%}
    {%- set retyped = [] -%}
    {%- set declared = sendwise.documented_columns(model) -%}
    {%- if declared is none and execute -%}
        {{ exceptions.raise_compiler_error("has_declared_columns on " ~ model ~ ": no columns declared in its YAML") }}
    {%- endif -%}
    {%- if execute and flags.INTROSPECT -%}
        {%- set relation = adapter.get_relation(database=model.database, schema=model.schema, identifier=model.identifier) -%}
        {%- if relation is not none -%}
            {%- set present = {} -%}
            {%- for column in adapter.get_columns_in_relation(relation) -%}
                {%- do present.update({column.name | lower: sendwise.column_type_family(column.dtype)}) -%}
            {%- endfor -%}
            {%- set declared_types = sendwise.declared_column_types(model) -%}
            {%- for name in declared -%}
                {%- set want = sendwise.column_type_family(declared_types.get(name)) -%}
                {%- if name not in present -%}
                    {%- if required_columns is none or name in required_columns -%}
                        {%- do missing.append(name) -%}
                    {%- endif -%}
                {%- elif declared_types.get(name) and present[name] != want
                    and not (want in ['number', 'integer'] and present[name] in ['number', 'integer']) -%}
                    {%- do retyped.append(name ~ " is " ~ present[name] ~ ", not " ~ declared_types.get(name)) -%}
                {%- endif -%}
            {%- endfor -%}
            {%- if missing or retyped -%}
                {%- set problems = [] -%}
                {%- if missing -%}{%- do problems.append("no column " ~ (missing | join(", "))) -%}{%- endif -%}
                {%- do problems.extend(retyped) -%}
                {{ exceptions.raise_compiler_error(
                    relation ~ " does not match its YAML: " ~ (problems | join("; "))
                    ~ " (its loader dropped, renamed or retyped columns; the models that read it are skipped)") }}
            {%- endif -%}
        {%- endif -%}
    {%- endif %}
    {#- nothing missing: a query with no rows, which the BigQuery gate analyses as it does any test #}
    select missing_column
    from (select cast(null as {{ dbt.type_string() }}) as missing_column) as declared_columns
    where missing_column is not null
{% endtest %}
