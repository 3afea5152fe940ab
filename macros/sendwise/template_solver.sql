{#- The spacing solver's state key (int_template_send_positions): one exact integer whose order is
    the solver's preference order, so max() over it picks the best state in one portable aggregate
    (no window): key = pool hours used (more is better) x 10^26 + the summed slot value in
    micro-dollars (more is better, < 10^18) x 10^8 + (2^24 - 1 - the bitmask of the chosen window
    positions) (a smaller mask is better: ties go to the earlier hours; < 10^8). The same order as
    the fixed-width digit string 'pp' || 'vvvvvvvvvvvvvvvvvv' || 'mmmmmmmm' it replaces, which each
    step unpacked and re-padded (38 -> 35 s at x10: the solver's real cost was a nested-loop join,
    see int_template_send_positions). 28 digits: HUGEINT on DuckDB,
    NUMERIC on BigQuery (29 integer digits, exact integer arithmetic). -#}
{% macro solver_key_type() -%}
    {{ return(adapter.dispatch('solver_key_type', 'sendwise')()) }}
{%- endmacro %}

{% macro default__solver_key_type() -%}
    hugeint
{%- endmacro %}

{% macro bigquery__solver_key_type() -%}
    numeric
{%- endmacro %}

{%- macro solver_key_power(digits) -%}
    cast('1{{ "0" * digits }}' as {{ sendwise.solver_key_type() }})
{%- endmacro %}

{% macro solver_key(pool_hits, value_micro, position_mask) -%}
    (
        cast({{ pool_hits }} as {{ sendwise.solver_key_type() }}) * {{ sendwise.solver_key_power(26) }}
        + cast({{ value_micro }} as {{ sendwise.solver_key_type() }}) * {{ sendwise.solver_key_power(8) }}
        + cast(16777215 - ({{ position_mask }}) as {{ sendwise.solver_key_type() }})
    )
{%- endmacro %}

{#- The key of a state extended by one send (its pool hit, value and position bit): the fields add
    without carrying into each other (at most 24 pool hours < 10^2, a value < 10^18 micro-dollars,
    each position's bit set once so the mask stays < 2^24), so the key adds too. -#}
{% macro solver_key_extend(key, pool_hit, value_micro, position_bit) -%}
    (
        {{ key }}
        + cast({{ pool_hit }} as {{ sendwise.solver_key_type() }}) * {{ sendwise.solver_key_power(26) }}
        + cast({{ value_micro }} as {{ sendwise.solver_key_type() }}) * {{ sendwise.solver_key_power(8) }}
        - cast({{ position_bit }} as {{ sendwise.solver_key_type() }})
    )
{%- endmacro %}

{% macro solver_key_mask(key) -%}
    (16777215 - cast(mod({{ key }}, {{ sendwise.solver_key_power(8) }}) as {{ dbt.type_bigint() }}))
{%- endmacro %}
