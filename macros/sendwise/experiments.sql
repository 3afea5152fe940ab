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

{#- The latest earlier build's recommendation of a running experiment (docs/operations.md), as one row
    (experiment_id, results_computed_for_as_of, shift): the id is the text setting `experiment_id_setting`,
    the shift its `shift_column` in experiment_results_history as a previous build left it
    (prior_build_relation: no ref, so no DAG cycle; experiment_results is downstream of its readers), from
    builds before as_of only, so rebuilding an as_of reproduces it. shift 0 and results_computed_for_as_of
    null without such a row, on a first build, or when the history predates the column
    (relation_has_column). The price ladder and the caption ranking read their feedback through it. -#}
{% macro latest_experiment_recommendation(experiment_id_setting, shift_column) -%}
    {%- set prior = sendwise.prior_build_relation('experiment_results_history') -%}
    {%- set readable = prior is not none and sendwise.relation_has_column(prior, shift_column) -%}
    select
        parameters.experiment_id,
        latest.computed_for_as_of as results_computed_for_as_of,
        cast(coalesce(latest.shift, 0) as {{ dbt.type_float() }}) as shift
    from (select {{ sendwise.setting_text(experiment_id_setting) }} as experiment_id) as parameters
    left join (
        {%- if readable %}
            select
                experiment_id,
                computed_for_as_of,
                {{ shift_column }} as shift,
                row_number() over (partition by experiment_id order by computed_for_as_of desc) as recency
            from {{ prior }}
            where computed_for_as_of < {{ sendwise.as_of() }}
        {%- else %}
            select
                cast(null as {{ dbt.type_string() }}) as experiment_id,
                cast(null as {{ dbt.type_timestamp() }}) as computed_for_as_of,
                cast(null as {{ dbt.type_float() }}) as shift,
                1 as recency
            from (select 1 as no_history) as empty_history
            where 1 = 0
        {%- endif %}
    ) as latest
        on parameters.experiment_id = latest.experiment_id and latest.recency = 1
{%- endmacro %}
