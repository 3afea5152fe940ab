{#- Every row satisfies a boolean SQL expression (optionally only rows matching `where`).
    Fails with the rows that do not. -#}
{% test expression_is_true(model, expression, where_clause=none) %}

select *
from {{ model }}
where not ({{ expression }})
{%- if where_clause %}
    and ({{ where_clause }})
{%- endif %}

{% endtest %}
