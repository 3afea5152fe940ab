{#- A column's non-null values lie within [min_value, max_value] (either bound optional;
    inclusive unless told). The model gets an alias: on BigQuery an unqualified name that is also
    the table's name (eros_score.eros_score) means the whole row, not the column. -#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}

select *
from {{ model }} as dbt_test_rows
where {{ column_name }} is not null
  and (
      1 = 0
      {%- if min_value is not none %}
      or {{ column_name }} {{ '<' if inclusive else '<=' }} {{ min_value }}
      {%- endif %}
      {%- if max_value is not none %}
      or {{ column_name }} {{ '>' if inclusive else '>=' }} {{ max_value }}
      {%- endif %}
  )

{% endtest %}
