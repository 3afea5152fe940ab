{#- The page-momentum feature columns of the revenue model (int_page_momentum_daily), selected from
    `alias`: one list for the training features and both kinds of scoring candidates, so they
    cannot drift apart. -#}
{% macro momentum_features(alias) -%}
    {%- set columns = [
        'knowledge_date', 'revenue_7d', 'revenue_prev_7d', 'revenue_momentum_7d', 'ppv_sends_7d',
        'audience_7d', 'ppv_revenue_per_send_28d', 'sends_per_day_28d'
    ] -%}
    {%- for column in columns %}
        {{ alias }}.{{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- The caption-style feature columns of the revenue model (int_caption_style_features), selected
    from `alias` (none: unqualified): one list for the training features and both kinds of scoring
    candidates, so they cannot drift apart. -#}
{% macro caption_style_features(alias=none) -%}
    {%- set columns = ['length_bin', 'emoji_bin', 'has_cta', 'has_urgency', 'ends_with_question'] -%}
    {%- for column in columns %}
        {{ alias ~ '.' if alias }}{{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
