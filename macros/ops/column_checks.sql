{#- column_checks' argument `name` as a list (empty when not given): a string or mapping is a
    compile error, and so is a duplicate. -#}
{% macro column_checks_list(model, name, value) -%}
    {%- if value is none %}{{ return([]) }}{% endif %}
    {%- if value is string or value is mapping or value is not iterable or value | length == 0 %}
        {{ exceptions.raise_compiler_error("column_checks on " ~ model ~ ": `" ~ name
            ~ "` must be a non-empty list, got " ~ (value | string)) }}
    {%- endif %}
    {%- set seen = [] %}
    {%- for item in value %}
        {%- set key = (item | string) | lower %}
        {%- if key in seen %}
            {{ exceptions.raise_compiler_error("column_checks on " ~ model ~ ": " ~ (item | string)
                ~ " is listed twice in `" ~ name ~ "`") }}
        {%- endif %}
        {%- do seen.append(key) %}
    {%- endfor %}
    {{ return(value) }}
{%- endmacro %}


{#- column_checks' argument `name` as (column, spec) pairs (empty when not given); anything but a
    non-empty mapping is a compile error. -#}
{% macro column_checks_mapping(model, name, value) -%}
    {%- if value is none %}{{ return([]) }}{% endif %}
    {%- if value is not mapping or value | length == 0 %}
        {{ exceptions.raise_compiler_error("column_checks on " ~ model ~ ": `" ~ name
            ~ "` must be a non-empty mapping of column -> rule, got " ~ (value | string)) }}
    {%- endif %}
    {{ return(value.items() | list) }}
{%- endmacro %}


{#- A SQL text literal of `text` on either engine: apostrophes through sendwise.single_quote (the
    engines escape them differently inside a literal), the parts joined by one concat call (a
    chain of || nests one level per part in BigQuery's analyzer). -#}
{% macro column_checks_text(text) -%}
    {%- set parts = (text | string).split("'") -%}
    {%- if parts | length == 1 -%}
        '{{ text }}'
    {%- else -%}
        concat({%- for part in parts -%}
            '{{ part }}'{{ ', ' ~ sendwise.single_quote() ~ ', ' if not loop.last }}
        {%- endfor -%})
    {%- endif -%}
{%- endmacro %}
