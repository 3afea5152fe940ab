{#- A Python model reads its settings with dbt.config.get(); dbt writes them into the model's
    compiled code from the config rendered when the project was PARSED (global macro
    build_config_dict). A config that falls back to run_started_at, as `as_of` does when the var is
    unset, is then the start time of whichever run last parsed the whole project: a scheduled
    `dbt build` without --vars reuses that parse (partial parsing), and its Python models scored as
    of that older run while its SQL models used the run's own as_of. This override (a macro of the
    root project replaces dbt's global one of the same name) writes dbt's dict, then sets as_of to
    as_of_text() of the running invocation: the value every SQL model compiles. -#}
{% macro build_config_dict(model) -%}
{{ dbt.build_config_dict(model) }}
{%- if 'as_of' in (model.config.config_keys_used or []) %}
config_dict["as_of"] = {{ sendwise.as_of_text() | tojson }}
{%- endif %}
{%- endmacro %}
