{#- One row fingerprinting the content of a relation: (input_name, row_count, hash_xor, hash_sum).
    Each row's JSON text (all its columns) is hashed with md5 (dbt.hash); the hashes
    are combined order-independently (bit_xor of the first 15 hex digits, sum of the next 8), so
    the same rows in any order give the same fingerprint and a changed, added or removed row
    changes it. Floating-point columns are rounded to 6 decimals first: a parallel sum adds in
    another order on every run (revenue_7d differed by 5e-13 between two builds of the same
    data), which must not read as new data. Before rounding each value is scaled by 1 + 1e-12:
    a ratio of cents to a count often lands exactly on a rounding boundary (59.6878125 is
    955.005 / 16), where that noise alone decides the rounding (the revenue GBM retrained on
    every rebuild for it); the nudge is a thousand times the noise, so every noisy copy of such
    a value rounds the same way; adding 0.0 turns a -0.0 (noise below zero, rounded) into 0.0.
    `float_columns`: the columns to round, by default the
    relation's floating-point columns (read from the warehouse). Comparable within one engine only (JSON prints
    floats differently across engines): a cache key for the ML models' reuse
    (int_ml_input_fingerprints), not a portable id. `exclude`: columns left out, e.g. the build
    stamp and fit columns of a Python model's output (as_of, built_at, input_fingerprint,
    fit_mode), which change on every build while the content stays. -#}
{% macro relation_fingerprint(input_name, relation, exclude=[], float_columns=none) -%}
    {%- set rounded = [] -%}
    {%- if float_columns is not none -%}
        {%- for name in float_columns -%}
            {%- do rounded.append(adapter.quote(name)) -%}
        {%- endfor -%}
    {%- elif execute and flags.INTROSPECT and relation is not string -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- if column.is_float() and column.name not in exclude -%}
                {%- do rounded.append(adapter.quote(column.name)) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif %}
    select
        '{{ input_name }}' as input_name,
        count(*) as row_count,
        coalesce(bit_xor({{ sendwise.hex_to_int('substr(row_hash, 1, 15)') }}), 0) as hash_xor,
        coalesce(sum({{ sendwise.hex_to_int('substr(row_hash, 16, 8)') }}), 0) as hash_sum
    from (
        select {{ dbt.hash(sendwise.row_as_json('fingerprinted_row')) }} as row_hash
        from (
            select
                {{ sendwise.star_except(exclude) if exclude else '*' }}
                {%- if rounded %}
                    replace ({% for name in rounded %}{{ sendwise.round_float(name ~ ' * (1 + 1e-12)', 6) }} + 0.0 as {{ name }}{{ ', ' if not loop.last }}{% endfor %})
                {%- endif %}
            from {{ relation }}
        ) as fingerprinted_row
    ) as row_hashes
{%- endmacro %}
