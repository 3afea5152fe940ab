{#- Caption style vocabulary (RE2, no backslashes so the same literal works on both engines).
    Emoji: the pictograph, symbol and dingbat blocks, written as literal characters. -#}
{% macro emoji_pattern() -%}
    '[🌀-🫿☀-➿]'
{%- endmacro %}

{% macro cta_pattern() -%}
    '(unlock|open (it|this|me|now)|tap|click|check (it|this)|grab|get it|dm me|buy|don.?t miss|see it)'
{%- endmacro %}

{% macro urgency_pattern() -%}
    '(now|today|tonight|only|last chance|hurry|limited|24 ?h|24 hours|expires|ends soon|before it.?s gone)'
{%- endmacro %}

{#- Price band of a price in dollars, edges from settings_modeling. -#}
{% macro price_band(price) -%}
    case
        when ({{ price }}) is null or ({{ price }}) <= 0 then 'free'
        when ({{ price }}) < {{ sendwise.setting('price_band_low_max') }} then 'budget'
        when ({{ price }}) < {{ sendwise.setting('price_band_mid_max') }} then 'mid'
        when ({{ price }}) < {{ sendwise.setting('price_band_high_max') }} then 'high'
        else 'premium'
    end
{%- endmacro %}
