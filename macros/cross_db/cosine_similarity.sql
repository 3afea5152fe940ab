{#- Cosine similarity of two numeric arrays of equal length (SQL expressions); null when either
    has zero length. DuckDB: list_cosine_similarity. BigQuery: the dot product over the zipped
    arrays (unnest with offset) divided by the product of the norms. -#}
{% macro cosine_similarity(left, right) -%}
    {{ return(adapter.dispatch('cosine_similarity', 'sendwise')(left, right)) }}
{%- endmacro %}

{% macro default__cosine_similarity(left, right) -%}
    list_cosine_similarity({{ left }}, {{ right }})
{%- endmacro %}

{% macro bigquery__cosine_similarity(left, right) -%}
    (
        (
            select sum(left_value * right_value)
            from unnest({{ left }}) as left_value with offset as left_position
            inner join unnest({{ right }}) as right_value with offset as right_position
                on left_position = right_position
        )
        / nullif(
            sqrt((select sum(left_value * left_value) from unnest({{ left }}) as left_value))
            * sqrt((select sum(right_value * right_value) from unnest({{ right }}) as right_value)),
            0
        )
    )
{%- endmacro %}
