{#- Deterministic pseudo-randomness that gives the same value on DuckDB and BigQuery:
    md5 hex (dbt.hash) -> first 13 hex digits (52 bits, exact in a double) -> integer. -#}
{% macro portable_hash_int(key_expr) -%}
    {{ sendwise.hex_to_int('substr(' ~ dbt.hash(key_expr) ~ ', 1, 13)') }}
{%- endmacro %}

{#- Uniform in the open interval (0, 1). -#}
{% macro portable_uniform(key_expr) -%}
    (({{ sendwise.portable_hash_int(key_expr) }} + 0.5) / 4503599627370496.0)
{%- endmacro %}

{#- Standard normal draw by Box-Muller from two independent portable uniforms of the key. -#}
{% macro portable_normal(key_expr) -%}
    (sqrt(-2.0 * ln({{ sendwise.portable_uniform("concat(cast(" ~ key_expr ~ " as " ~ dbt.type_string() ~ "), '|u1')") }}))
     * cos(2.0 * 3.141592653589793 * {{ sendwise.portable_uniform("concat(cast(" ~ key_expr ~ " as " ~ dbt.type_string() ~ "), '|u2')") }}))
{%- endmacro %}

{#- Draw from Beta(alpha, beta) by its normal approximation (mean, variance of the Beta),
    clamped to [0, 1]. Deterministic for a key. -#}
{% macro beta_draw_normal_approx(alpha, beta, key_expr) -%}
    least(1.0, greatest(0.0,
        ({{ alpha }}) / (({{ alpha }}) + ({{ beta }}))
        + sqrt(({{ alpha }}) * ({{ beta }})
               / (power(({{ alpha }}) + ({{ beta }}), 2) * (({{ alpha }}) + ({{ beta }}) + 1)))
        * {{ sendwise.portable_normal(key_expr) }}
    ))
{%- endmacro %}
