{#- Page key: lowercase first, then trim, then runs of spaces / hyphens / underscores -> one
    underscore. "SD Mochi" and "sd_mochi " are one key; letters are never dropped. -#}
{% macro normalize_page_key(expr) -%}
    nullif({{ sendwise.regexp_replace_all('trim(lower(' ~ expr ~ '))', "'[[:space:]_-]+'", "'_'") }}, '')
{%- endmacro %}

{#- Decode the HTML entities loaders leave in text (named ones and the common numeric forms).
    &amp; goes last so "&amp;lt;" decodes once, as a browser would. -#}
{% macro html_unescape(expr) -%}
    replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
        {{ expr }},
        '&lt;', '<'), '&gt;', '>'), '&quot;', '"'), '&#34;', '"'), '&#39;', {{ sendwise.single_quote() }}),
        '&#x27;', {{ sendwise.single_quote() }}), '&apos;', {{ sendwise.single_quote() }}), '&nbsp;', ' '), '&#160;', ' '), '&amp;', '&')
{%- endmacro %}

{#- Normalised caption text: HTML entities decoded, lowercase, whitespace collapsed, trimmed. -#}
{% macro normalize_caption_text(expr) -%}
    trim({{ sendwise.regexp_replace_all('lower(' ~ sendwise.html_unescape(expr) ~ ')', "'[[:space:]]+'", "' '") }})
{%- endmacro %}

{#- The link between a send and the caption library: md5 of the normalised text. -#}
{% macro caption_hash(expr) -%}
    {{ dbt.hash(sendwise.normalize_caption_text(expr)) }}
{%- endmacro %}
