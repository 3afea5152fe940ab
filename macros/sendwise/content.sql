{#- The hash-key parts of a content arm's Thompson draw (content_next_post_recommendation), for a
    concat(...): 'content|', the arm, '|', as_of, '|', the content_thompson_seed setting. The exact
    draw appends '|' and the uniform's index; the normal approximation uses the parts as they are. -#}
{% macro content_draw_key_parts(arm_column) -%}
    'content|', {{ arm_column }}, '|', '{{ sendwise.as_of_text() }}', '|', cast(cast({{ sendwise.setting('content_thompson_seed') }} as {{ dbt.type_bigint() }}) as {{ dbt.type_string() }})
{%- endmacro %}
