{#- One row fingerprinting the content of a relation: (input_name, row_count, hash_xor, hash_sum).
    Each row's JSON text (all its columns) is hashed with md5 (dbt.hash); the hashes
    are combined order-independently (bit_xor of the first 15 hex digits, sum of the next 8), so
    the same rows in any order give the same fingerprint and a changed, added or removed row
    changes it. Floating-point columns are rounded to 6 decimals first: a parallel sum adds in
    another order on every run (revenue_7d differed by 5e-13 between two builds of the same
    data), which must not read as new data. Comparable within one engine only (JSON prints
    floats differently across engines): a cache key for the ML models' reuse
    (int_ml_input_fingerprints), not a portable id. `exclude`: columns left out, e.g. the build
    stamp and fit columns of a Python model's output (as_of, built_at, input_fingerprint,
    fit_mode), which change on every build while the content stays. -#}
{% macro relation_fingerprint(input_name, relation, exclude=[]) -%}
    {%- set rounded = [] -%}
    {%- if execute and flags.INTROSPECT and relation is not string -%}
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
                    replace ({% for name in rounded %}round({{ name }}, 6) as {{ name }}{{ ', ' if not loop.last }}{% endfor %})
                {%- endif %}
            from {{ relation }}
        ) as fingerprinted_row
    ) as row_hashes
{%- endmacro %}
