{#- Time windows relative to as_of, written so BigQuery can prune partitions: a window is a
    comparison of the raw timestamp column with a constant, e.g.
        where sent_at > {{ sendwise.window_start('price_window_days') }}
    and never arithmetic on the column (age_days(sent_at) < 90 reads every partition). -#}

{#- as_of minus `days` days (times `factor`): a constant timestamp when `days` is a number. -#}
{% macro as_of_minus_days(days, factor=1) -%}
    {%- if days is number -%}
        {{ return(sendwise.timestamp_minus_days(sendwise.as_of(), days * factor)) }}
    {%- elif factor == 1 -%}
        {{ return(sendwise.timestamp_minus_days(sendwise.as_of(), days)) }}
    {%- else -%}
        {{ return(sendwise.timestamp_minus_days(sendwise.as_of(), factor ~ ' * ' ~ days)) }}
    {%- endif -%}
{%- endmacro %}

{#- The start of a window of `factor` x the setting `setting_name` days before as_of, followed by
    the comment /* window: <setting_name> */ so the compiled SQL still names the settings it reads
    (sendwise.evaluation reads them back from it). -#}
{% macro window_start(setting_name, factor=1) -%}
    {{ return(sendwise.as_of_minus_days(sendwise.setting_constant(setting_name), factor)
              ~ ' /* window: ' ~ setting_name ~ ' */') }}
{%- endmacro %}

{#- `column >= window_start(name)` for at least one of the settings `setting_names`: one comparison
    with the longest window when every length is known at compile time (the form BigQuery prunes
    with), else the disjunction of the windows. -#}
{% macro in_any_window(column, setting_names) -%}
    {%- set days_list = [] -%}
    {%- for name in setting_names -%}
        {%- do days_list.append(sendwise.setting_constant(name)) -%}
    {%- endfor -%}
    {%- if days_list | reject('number') | list | length == 0 -%}
        {{ return(column ~ ' >= ' ~ sendwise.as_of_minus_days(days_list | max)
                  ~ ' /* window: ' ~ setting_names | join(', ') ~ ' */') }}
    {%- endif -%}
    {%- set parts = [] -%}
    {%- for name in setting_names -%}
        {%- do parts.append(column ~ ' >= ' ~ sendwise.window_start(name)) -%}
    {%- endfor -%}
    {{ return('(' ~ parts | join(' or ') ~ ')') }}
{%- endmacro %}

{#- A numeric setting as a number read at compile time, so a window bound built from it is a
    constant; the scalar subquery of setting(name) where it cannot be read then:
    * parsing, and compiling without introspection (`--no-introspect`: the offline BigQuery gate);
    * unit tests, whose settings_modeling is the test's fixture, not the seed table;
    * before the seed is loaded (a fresh database), and for a missing or non-numeric value (the
      subquery then fails or yields null exactly as setting() does everywhere else).
    Both forms give the same value: the seed table's row. The read runs when dbt compiles the model,
    after the seed (the model depends on it through setting()'s ref). -#}
{% macro setting_constant(name) -%}
    {%- set fallback = sendwise.setting(name) -%}
    {#- the offline BigQuery compile (bq-gate / bq-check) cannot query the seed: it passes the seed
        file's numeric rows as the var offline_settings, so its SQL has the constants production has -#}
    {%- set offline = var('offline_settings', {}) -%}
    {%- if execute and not flags.INTROSPECT and name in offline and model.resource_type != 'unit_test' -%}
        {{ return(offline[name] | float) }}
    {%- endif -%}
    {%- if not execute or not flags.INTROSPECT or model.resource_type == 'unit_test' -%}
        {{ return(fallback) }}
    {%- endif -%}
    {%- set seed_relation = load_relation(ref('settings_modeling')) -%}
    {%- if seed_relation is none -%}
        {{ return(fallback) }}
    {%- endif -%}
    {%- set query -%}
        select setting_value from {{ seed_relation }} where setting_name = '{{ name }}'
    {%- endset -%}
    {%- set rows = run_query(query).rows -%}
    {%- if rows | length != 1 or rows[0][0] is none -%}
        {{ return(fallback) }}
    {%- endif -%}
    {%- set text = rows[0][0] | string | trim -%}
    {%- if modules.re.match('^-?[0-9]+([.][0-9]+)?$', text) is none -%}
        {{ return(fallback) }}
    {%- endif -%}
    {{ return(text | float) }}
{%- endmacro %}
