{#- The string state key of this legacy model, as macros/sendwise/template_solver.sql defined it
    before the solver's key became an integer (commit a6b8ac4): kept here (the test copies this file into the temporary project's macros), so the legacy SQL runs as it was. -#}
{#- The spacing solver's state key (int_template_send_slots): one fixed-width digit string whose
    text order is the solver's preference order, so max() over it picks the best state in one
    aggregate (portable, no window): 2 digits of pool hours used (more is better), 18 digits of the
    summed slot value in micro-dollars (more is better), 8 digits of 2^24 - 1 - the bitmask of the
    chosen window positions (a smaller mask is better: ties go to the earlier hours). The mask has
    at most 24 bits (a window has at most 24 hours). -#}
{% macro legacy_solver_key(pool_hits, value_micro, position_mask) -%}
    concat(
        lpad(cast({{ pool_hits }} as {{ dbt.type_string() }}), 2, '0'),
        lpad(cast({{ value_micro }} as {{ dbt.type_string() }}), 18, '0'),
        lpad(cast(16777215 - ({{ position_mask }}) as {{ dbt.type_string() }}), 8, '0')
    )
{%- endmacro %}

{% macro legacy_solver_key_pool_hits(key) -%}
    cast(substr({{ key }}, 1, 2) as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro legacy_solver_key_value_micro(key) -%}
    cast(substr({{ key }}, 3, 18) as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro legacy_solver_key_mask(key) -%}
    (16777215 - cast(substr({{ key }}, 21, 8) as {{ dbt.type_bigint() }}))
{%- endmacro %}

