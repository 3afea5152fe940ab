-- Every row of the settings_modeling seed (the file an analytics engineer edits) is usable before a
-- model reads it: a number setting reads as a number, lies within its min_value and max_value, is
-- whole where whole_number says so, and is at most the setting its not_above column names. The
-- test depends on the seed alone, so `dbt build` runs it right after loading the seed; when a row
-- breaks a rule, the test stops with one line naming every such setting, its value and the limit
-- (a compiler error while the test runs, as has_declared_columns does for raw tables), and the build
-- skips every model that reads a setting instead of building from a typo or a bound turned upside
-- down. Compiled without introspection (the BigQuery gate), the test is its query: one row per
-- setting that breaks a rule (the first it breaks).
{% set problems_query -%}
with settings as (
    select
        setting_name,
        setting_value,
        value_type,
        min_value,
        max_value,
        whole_number,
        not_above
    from {{ ref('settings_modeling') }}
),

numbers as (
    select
        *,
        {{ dbt.safe_cast('trim(setting_value)', dbt.type_float()) }} as number_value
    from settings
    where value_type = 'number'
),

checked as (
    -- the first rule a setting breaks (a value that is no number breaks no other)
    select
        numbers.setting_name,
        numbers.setting_value,
        numbers.min_value,
        numbers.max_value,
        numbers.not_above,
        upper_bound.number_value as not_above_value,
        case
            when numbers.number_value is null then 'not a number'
            when numbers.number_value < numbers.min_value then 'below min_value'
            when numbers.number_value > numbers.max_value then 'above max_value'
            when numbers.whole_number and numbers.number_value <> floor(numbers.number_value)
                then 'not a whole number'
            when numbers.not_above is not null and upper_bound.setting_name is null
                then 'not_above names no number setting'
            when numbers.number_value > upper_bound.number_value then 'above the not_above setting'
        end as problem
    from numbers
    left join numbers as upper_bound
        on numbers.not_above = upper_bound.setting_name
),

problems as (
    select
        setting_name,
        setting_value,
        problem,
        case when problem like '%not_above%' then not_above end as limit_setting,
        case problem
            when 'below min_value' then min_value
            when 'above max_value' then max_value
            when 'above the not_above setting' then not_above_value
        end as limit_value
    from checked
    where problem is not null
)

select * from problems
{%- endset -%}

{#- the seed's table is missing only where nothing was loaded (sqlfluff's lint database) -#}
{%- if execute and flags.INTROSPECT and load_relation(ref('settings_modeling')) is not none -%}
    {%- set found = run_query(problems_query) -%}
    {%- if found.rows | length > 0 -%}
        {%- set lines = [] -%}
        {%- for row in found.rows -%}
            {%- set limit = '' -%}
            {%- if row['limit_setting'] is not none and row['limit_value'] is not none -%}
                {%- set limit = ' ' ~ row['limit_setting'] ~ ' (' ~ ('%g' % (row['limit_value'] | float)) ~ ')' -%}
            {%- elif row['limit_setting'] is not none -%}
                {%- set limit = ' (' ~ row['limit_setting'] ~ ')' -%}
            {%- elif row['limit_value'] is not none -%}
                {%- set limit = ' ' ~ ('%g' % (row['limit_value'] | float)) -%}
            {%- endif -%}
            {%- do lines.append(row['setting_name'] ~ " = '" ~ row['setting_value'] ~ "': " ~ row['problem'] ~ limit) -%}
        {%- endfor -%}
        {{ exceptions.raise_compiler_error("seeds/settings_modeling.csv: " ~ (lines | sort | join('; '))) }}
    {%- endif -%}
{%- endif -%}

{{ problems_query }}
