{#- The template's randomised experiments (docs/operations.md, section 4). -#}

{#- The key of a template slot's experiment draws: page|plan_date|slot_number|as_of (SQL expressions of
    the page key, the page-local plan date and the slot number). -#}
{% macro experiment_draw_key(page_key, plan_date, slot_number) -%}
    {{ dbt.concat([
        page_key, "'|'", 'cast(' ~ plan_date ~ ' as ' ~ dbt.type_string() ~ ')', "'|'",
        'cast(' ~ slot_number ~ ' as ' ~ dbt.type_string() ~ ')', "'|'", "'" ~ sendwise.as_of_text() ~ "'"
    ]) }}
{%- endmacro %}

{#- Which experiment a slot is held out for, from its draw key: null when
    portable_uniform('experiment_hold|<key>') >= experiment_slot_share (not held out), else 'caption' when
    portable_uniform('experiment_split|<key>') < experiment_caption_share, else 'price'. One draw decides,
    so a slot is held out for at most one experiment; the caller restricts it to PPV slots. -#}
{% macro experiment_hold_kind(draw_key) -%}
    case
        when {{ sendwise.portable_uniform("concat('experiment_hold|', " ~ draw_key ~ ")") }}
            >= {{ sendwise.setting('experiment_slot_share') }}
            then cast(null as {{ dbt.type_string() }})
        when {{ sendwise.portable_uniform("concat('experiment_split|', " ~ draw_key ~ ")") }}
            < {{ sendwise.setting('experiment_caption_share') }}
            then 'caption'
        else 'price'
    end
{%- endmacro %}
