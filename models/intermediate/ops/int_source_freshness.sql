-- Freshness of every raw source at as_of, derived in SQL (docs/operations.md): the newest loaded-at
-- timestamp at or before as_of (the column of the source's loaded_at_field, typed in its base model;
-- rows after as_of do not count, so a build is reproducible for its as_of) against the source's
-- freshness limits as declared in the sources yml (warn_after / error_after: int_source_freshness_limits,
-- read from the project graph). A source without a freshness rule (the vault matrix) has null
-- limits and is never stale. is_stale_warn / is_stale_error: the age exceeds the limit (or the
-- source has no loaded row at all).
{#- (source, table, base model, its typed loaded-at column); every project source must be listed -#}
{%- set loads = [
    ('agency', 'caption_bank', 'base_agency__caption_bank', 'created_at'),
    ('agency', 'mass_messages', 'base_agency__mass_messages', 'sent_at'),
    ('agency', 'pages', 'base_agency__pages', 'onboarded_at'),
    ('agency', 'vault_matrix', 'base_agency__vault_matrix', none),
    ('chat', 'chat_logs', 'base_chat__chat_logs', 'message_at'),
    ('content', 'content_metadata', 'base_content__content_metadata', 'created_at'),
    ('content', 'outcomes', 'base_content__outcomes', 'collected_at'),
] %}
{%- set listed = [] %}
{%- for load in loads %}{% do listed.append(load[0] ~ '.' ~ load[1]) %}{% endfor %}
{%- if execute and sendwise.project_source_tables() and (listed | sort) != sendwise.project_source_tables() %}
    {{ exceptions.raise_compiler_error(
        'int_source_freshness lists ' ~ (listed | sort) ~ ' but the project sources are '
        ~ sendwise.project_source_tables()) }}
{%- endif %}

with limits as (
    select
        source_table,
        warn_after_hours,
        error_after_hours
    from {{ ref('int_source_freshness_limits') }}
),

loads as (
    {%- for source_name, table_name, base_model, column in loads %}
        select
            '{{ source_name }}.{{ table_name }}' as source_table,
            {%- if column %}
                '{{ column }}' as loaded_at_column,
                max(case when {{ column }} <= {{ sendwise.as_of() }} then {{ column }} end) as max_loaded_at
            {%- else %}
                cast(null as {{ dbt.type_string() }}) as loaded_at_column,
                max(cast(null as {{ dbt.type_timestamp() }})) as max_loaded_at
            {%- endif %}
        from {{ ref(base_model) }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

aged as (
    select
        loads.source_table,
        loads.loaded_at_column,
        loads.max_loaded_at,
        {{ sendwise.epoch_seconds(sendwise.as_of()) }}
        - {{ sendwise.epoch_seconds('loads.max_loaded_at') }} as age_seconds,
        limits.warn_after_hours,
        limits.error_after_hours
    from loads
    left join limits on loads.source_table = limits.source_table
),

final as (
    select
        source_table,
        loaded_at_column,
        max_loaded_at,
        {{ sendwise.round_float('age_seconds', 0) }} / 3600.0 as age_hours,
        warn_after_hours,
        error_after_hours,
        warn_after_hours is not null and (max_loaded_at is null or age_seconds > warn_after_hours * 3600)
            as is_stale_warn,
        error_after_hours is not null and (max_loaded_at is null or age_seconds > error_after_hours * 3600)
            as is_stale_error
    from aged
)

select * from final
