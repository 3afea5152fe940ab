{#- Facts built by day (docs/build_performance.md, section 12). A base model of a large raw fact
    (sends, chat rows) keeps one row per raw row. A daily build deletes the days it must rebuild
    (pre_hook fact_days_delete) and inserts the raw rows of every day that is then missing or
    different (fact_days_changed, fact_rows_to_build): the rest of the table is not read again.
    Its staging follows by day (derived_days_delete, derived_rows). A day is rebuilt when

    * its raw rows differ from the built ones by their signature: the row count and the sum of the
      timestamps in whole seconds, read from the raw table's one dating column (new days, late rows,
      removed rows, rows whose time was corrected);
    * it lies within fact_lookback_days of as_of (a row edited in place, its time unchanged, is seen
      while it is that recent; an older in-place edit needs `dbt build --full-refresh`);
    * its verdicts were made under other rules: another version of the model's code or of the
      quarantine settings (rules_key), or an as_of whose as_of-dependent rule (implausible_date,
      future_sending_time) would now give another verdict to one of its rows;
    * (sends) it holds a copy of a row id that has a copy in a day rebuilt for the reasons above: the
      duplicate rule numbers the copies of a row id across days.

    Rows without a timestamp have no day: they are rebuilt by every build (each is quarantined).
    Incremental and full builds give the same rows (pytests/foundation/test_fact_days.py). -#}

{#- The UTC day of a timestamp: the unit a fact is rebuilt by. -#}
{% macro fact_day(ts) -%}
    cast({{ ts }} as date)
{%- endmacro %}

{#- Whole seconds since 1970 as an integer: the signature sums them exactly (a float sum depends on
    the order the engine adds in, and a difference of one bit would rebuild a day for nothing). -#}
{% macro whole_epoch_seconds(ts) -%}
    {{ return(adapter.dispatch('whole_epoch_seconds', 'sendwise')(ts)) }}
{%- endmacro %}

{% macro default__whole_epoch_seconds(ts) -%}
    (epoch_ms({{ ts }}) // 1000)
{%- endmacro %}

{% macro bigquery__whole_epoch_seconds(ts) -%}
    unix_seconds({{ ts }})
{%- endmacro %}

{#- What a row's verdict depends on besides the row and as_of: the model's code and the quarantine
    settings it reads. Stored on every row (rules_key); a build under another key rebuilds all. -#}
{% macro fact_rules_key(setting_names, code=none) -%}
    {%- set parts = ["'" ~ local_md5(code if code is not none else model.raw_code) ~ "'"] -%}
    {%- for name in setting_names -%}
        {%- do parts.append("'|'") -%}
        {%- do parts.append("coalesce(" ~ sendwise.setting_text(name) ~ ", '')") -%}
    {%- endfor -%}
    ({{ dbt.concat(parts) }})
{%- endmacro %}

{#- Per day of `relation`: its row count and the sum of its timestamps in whole seconds. -#}
{% macro fact_day_signature(relation, ts) -%}
    select
        {{ sendwise.fact_day(ts) }} as fact_day,
        count(*) as row_count,
        sum({{ sendwise.whole_epoch_seconds(ts) }}) as second_sum
    from {{ relation }}
    where {{ ts }} is not null
    group by 1
{%- endmacro %}

{#- Days whose raw rows and built rows differ in count or in the sum of their whole seconds. -#}
{% macro fact_days_changed(source_relation, source_ts, ts, relation=none) -%}
    select coalesce(source_days.fact_day, built_days.fact_day) as fact_day
    from ({{ sendwise.fact_day_signature(source_relation, source_ts) }}) as source_days
    full outer join ({{ sendwise.fact_day_signature(relation if relation is not none else this, ts) }}) as built_days
        on source_days.fact_day = built_days.fact_day
    where
        source_days.row_count is null
        or built_days.row_count is null
        or source_days.row_count <> built_days.row_count
        or source_days.second_sum <> built_days.second_sum
{%- endmacro %}

{#- Rows whose as_of-dependent verdict may differ between the as_of they were built at (rules_as_of)
    and this build's: between the two history floors (implausible_date) and, with future_rule,
    between the two as_of values (future_sending_time). -#}
{% macro fact_verdict_moved(ts, future_rule) -%}
    {%- set history_days = sendwise.setting('raw_max_history_days') -%}
    {%- set old_floor = sendwise.timestamp_minus_days('rules_as_of', history_days) -%}
    {%- set new_floor = sendwise.timestamp_minus_days(sendwise.as_of(), history_days) -%}
    (
        {{ ts }} >= least({{ old_floor }}, {{ new_floor }})
        and {{ ts }} < greatest({{ old_floor }}, {{ new_floor }})
    )
    {%- if future_rule %}
    or (
        {{ ts }} > least(rules_as_of, {{ sendwise.as_of() }})
        and {{ ts }} <= greatest(rules_as_of, {{ sendwise.as_of() }})
    )
    {%- endif %}
{%- endmacro %}

{#- A key that also names the null key (a partition of its own in the duplicate rule). -#}
{% macro fact_copy_key(key) -%}
    coalesce({{ key }}, '<null>')
{%- endmacro %}

{#- What each base fact built by day reads: its raw source and dating column, its timestamp column,
    the quarantine settings of its rules key, whether it quarantines rows after as_of, and the key
    its duplicate rule numbers copies by across days (none: copies share a day). -#}
{% macro fact_spec(name) -%}
    {%- if name == 'mass_messages' -%}
        {{ return({
            'source_relation': source('agency', 'mass_messages'), 'source_ts': 'sending_time', 'ts': 'sent_at',
            'setting_names': ['raw_max_history_days', 'raw_max_price', 'raw_max_earnings'],
            'future_rule': true, 'key': 'send_id', 'source_key': 'row_id'}) }}
    {%- elif name == 'chat_logs' -%}
        {{ return({
            'source_relation': source('chat', 'chat_logs'), 'source_ts': 'datetime', 'ts': 'message_at',
            'setting_names': ['raw_max_history_days', 'raw_max_price', 'raw_max_tip'],
            'future_rule': false, 'key': none, 'source_key': none}) }}
    {%- endif -%}
    {{ exceptions.raise_compiler_error("fact_spec: unknown fact " ~ name) }}
{%- endmacro %}

{#- The days of `relation` (a base fact built from `code`) that a build at this as_of must rebuild:
    a select of fact_day (see the top of this file). key / source_key: the column numbering copies
    across days (sends: the row id) in the table and in the raw source; every day holding a copy of
    a key of a rebuilt day is rebuilt too. -#}
{% macro fact_days_to_rebuild(relation, code, source_relation, source_ts, ts, setting_names, future_rule=false, key=none, source_key=none) -%}
    {%- set lookback = sendwise.setting('fact_lookback_days') -%}
    with days_rebuilt as (
        {{ sendwise.fact_days_changed(source_relation, source_ts, ts, relation) }}
        union all
        select fact_day
        from {{ relation }}
        where
            {{ ts }} >= {{ sendwise.timestamp_minus_days(sendwise.as_of(), lookback) }}
            or rules_key <> {{ sendwise.fact_rules_key(setting_names, code) }}
            or {{ sendwise.fact_verdict_moved(ts, future_rule) }}
    )
    {%- if key is none %}

    select days_rebuilt.fact_day from days_rebuilt
    {%- else %},

    keys_rebuilt as (
        select {{ sendwise.fact_copy_key(source_key) }} as copy_key
        from {{ source_relation }}
        where
            {{ source_ts }} is null
            or {{ sendwise.fact_day(source_ts) }} in (select days_rebuilt.fact_day from days_rebuilt)
        union all
        select {{ sendwise.fact_copy_key(key) }} as copy_key
        from {{ relation }}
        where
            {{ ts }} is null
            or fact_day in (select days_rebuilt.fact_day from days_rebuilt)
    )

    select days_rebuilt.fact_day from days_rebuilt
    union all
    select {{ sendwise.fact_day(source_ts) }} as fact_day
    from {{ source_relation }}
    where {{ sendwise.fact_copy_key(source_key) }} in (select keys_rebuilt.copy_key from keys_rebuilt)
    union all
    select fact_day
    from {{ relation }}
    where {{ sendwise.fact_copy_key(key) }} in (select keys_rebuilt.copy_key from keys_rebuilt)
    {%- endif %}
{%- endmacro %}

{#- The pre_hook of a base fact (spec: fact_spec): delete the days this build rebuilds
    (fact_days_to_rebuild) and the rows without a timestamp; nothing on a full build. -#}
{% macro fact_days_delete(spec) -%}
    {%- set condition -%}
        {{ spec.ts }} is null
        or fact_day in (
            {{ sendwise.fact_days_to_rebuild(this, model.raw_code, **spec) }}
        )
    {%- endset -%}
    {{ sendwise.delete_for_rebuild(condition) }}
{%- endmacro %}

{#- The statements of the pre_hook of a model rebuilt in parts (by day, by key): on a daily build,
    `delete from this where <condition>`; when the table's columns differ from the model's query (a
    table from before a change of its columns, e.g. from before it was built in parts), the columns
    first (schema_drift_statements), then every row is deleted and rebuilt; nothing on a full build. -#}
{% macro delete_for_rebuild(condition) -%}
    {%- set drift = sendwise.schema_drift_statements() if is_incremental() else '' -%}
    {%- if drift | trim -%}
    {{ drift }}
    delete from {{ this }} where true
    {%- elif is_incremental() -%}
    delete from {{ this }}
    where
        {{ condition }}
    {%- endif -%}
{%- endmacro %}

{#- The build that last rebuilt a row's day (the invocation id): a model derived row by row from a
    base fact (its staging) rebuilds the days whose batch differs from its own copy of it. -#}
{% macro fact_batch() -%}
    '{{ invocation_id }}'
{%- endmacro %}

{#- The days of a model derived row by row from a base fact (`parent`) that it must rebuild: the days
    whose batch differs between the two tables, or that only one of them has (a select of fact_day;
    a day whose rows are all quarantined has no derived rows and is read again, finding none).
    compare_counts: also the days whose row counts differ (for a `parent` holding exactly the rows
    the table is built from, such as history_keys_changed's rows up to as_of). -#}
{% macro derived_days_changed(parent, relation=none, compare_counts=false) -%}
    select coalesce(parent_days.fact_day, built_days.fact_day) as fact_day
    from (
        select
            fact_day,
            max(fact_batch) as fact_batch,
            count(*) as row_count
        from {{ parent }}
        where fact_day is not null
        group by 1
    ) as parent_days
    full outer join (
        select
            fact_day,
            max(fact_batch) as fact_batch,
            count(*) as row_count
        from {{ relation if relation is not none else this }}
        group by 1
    ) as built_days
        on parent_days.fact_day = built_days.fact_day
    where
        parent_days.fact_batch is null
        or built_days.fact_batch is null
        or parent_days.fact_batch <> built_days.fact_batch
        {%- if compare_counts %}
        or parent_days.row_count <> built_days.row_count
        {%- endif %}
{%- endmacro %}

{#- The rows of `parent` (a base fact) a model derived from it row by row reads: every row on a full
    build, the rows of the days to rebuild (derived_days_changed, after derived_days_delete) on a
    daily one. A select. -#}
{% macro derived_rows(parent) -%}
    select parent_rows.*
    from {{ parent }} as parent_rows
    {%- if is_incremental() %}
    inner join ({{ sendwise.derived_days_changed(parent) }}) as days_to_build
        on parent_rows.fact_day = days_to_build.fact_day
    {%- endif %}
{%- endmacro %}

{#- The pre_hook of a model derived row by row from a base fact: delete the days whose base rows were
    rebuilt since (derived_days_changed), and every row when the model's code changed (code_key);
    nothing on a full build. A table with other columns than the model's gets them and is rebuilt. -#}
{% macro derived_days_delete(parent) -%}
    {%- if not is_incremental() -%}
    {%- elif not sendwise.relation_has_column(this, 'code_key') -%}
    {#- a table from before it was built by day: the model's own query reads these columns of it, so
        they are added by name (schema_drift_statements runs that query), then every day is rebuilt -#}
    {%- for name, type in {'fact_day': 'date', 'fact_batch': dbt.type_string(), 'code_key': dbt.type_string()}.items()
        if not sendwise.relation_has_column(this, name) %}
    alter table {{ this }} add column {{ name }} {{ type }};
    {%- endfor %}
    delete from {{ this }} where true
    {%- else -%}
    {%- set condition -%}
        code_key <> '{{ local_md5(model.raw_code) }}'
        or fact_day in (
            {{ sendwise.derived_days_changed(parent) }}
        )
    {%- endset -%}
    {{ sendwise.delete_for_rebuild(condition) }}
    {%- endif -%}
{%- endmacro %}

{#- Models whose rows are windows over a key's whole history, read from a staging fact built by day
    (`parent`): int_fan_chat_messages numbers a fan's conversations and stages over all the fan's
    rows, so a day's new row changes the fan's older rows too. Such a model is built by key: a daily
    build deletes every row of the keys it must rebuild (history_keys_delete) and writes the rows of
    every key it then no longer holds (history_rows). A key is rebuilt when it has a row, in the
    parent (up to as_of) or in the table, on a day whose rows differ between the two: another batch
    (the parent rebuilt the day), another count (as_of moved over rows of the day, or the day is only
    in one of them); when one of its rows was placed in a zone that is no longer its page's (`zones`:
    relation, key, column and default of the zone table; the model stores the zone it used); and every
    key when the model's code or one of `setting_names` changed (rules_key). -#}
{% macro history_keys_changed(parent, key, ts, zones=none, relation=none) -%}
    {%- set built = relation if relation is not none else this %}
    with parent_rows as (
        select
            {{ key }},
            fact_day,
            fact_batch
        from {{ parent }}
        where {{ ts }} <= {{ sendwise.as_of() }}
    ),

    days_changed as (
        {{ sendwise.derived_days_changed('parent_rows', built, compare_counts=true) }}
    )
    {%- if zones is not none %},

    zones_changed as (
        select built_zones.{{ zones.key }}
        from (
            select distinct
                {{ zones.key }},
                {{ zones.column }}
            from {{ built }}
        ) as built_zones
        left join {{ zones.relation }} as current_zones
            on built_zones.{{ zones.key }} = current_zones.{{ zones.key }}
        where coalesce(current_zones.{{ zones.column }}, {{ zones.default }}) <> built_zones.{{ zones.column }}
    )
    {%- endif %}

    select parent_rows.{{ key }}
    from parent_rows
    inner join days_changed on parent_rows.fact_day = days_changed.fact_day
    union all
    select built.{{ key }}
    from {{ built }} as built
    inner join days_changed on built.fact_day = days_changed.fact_day
    {%- if zones is not none %}
    union all
    select built.{{ key }}
    from {{ built }} as built
    inner join zones_changed on built.{{ zones.key }} = zones_changed.{{ zones.key }}
    {%- endif %}
{%- endmacro %}

{#- The zones chat rows are placed in (history_keys_changed): a page's time zone in
    stg_agency__pages, UTC for a page without one. -#}
{% macro page_time_zones() -%}
    {{ return({'relation': ref('stg_agency__pages'), 'key': 'page_key', 'column': 'time_zone', 'default': "'UTC'"}) }}
{%- endmacro %}

{#- The pre_hook of a model built by key (history_keys_changed): delete every row of the keys to
    rebuild, and every row when the model's code or one of its settings changed; nothing on a full
    build. A table with other columns than the model's (e.g. from before it was built by key) gets
    them and is rebuilt: the model's query reads only the key of `this`. -#}
{% macro history_keys_delete(parent, key, ts, setting_names, zones=none) -%}
    {%- set condition -%}
        rules_key <> {{ sendwise.fact_rules_key(setting_names) }}
        or {{ key }} in (
            {{ sendwise.history_keys_changed(parent, key, ts, zones) }}
        )
    {%- endset -%}
    {{ sendwise.delete_for_rebuild(condition) }}
{%- endmacro %}

{#- The rows of `parent` a model built by key reads (after history_keys_delete): every row up to
    as_of on a full build; on a daily one those of the keys the table no longer holds (an anti-join
    on the key: the deleted keys and the new ones). A select. -#}
{% macro history_rows(parent, key, ts) -%}
    select parent_rows.*
    from {{ parent }} as parent_rows
    {%- if is_incremental() %}
    left join (select distinct built.{{ key }} from {{ this }} as built) as built_keys
        on parent_rows.{{ key }} = built_keys.{{ key }}
    where parent_rows.{{ ts }} <= {{ sendwise.as_of() }} and built_keys.{{ key }} is null
    {%- else %}
    where parent_rows.{{ ts }} <= {{ sendwise.as_of() }}
    {%- endif %}
{%- endmacro %}

{#- The join and where clause of the rows a build reads, after `from <relation>`: nothing on a full
    build (every row); on a daily build the rows of the days to build (the CTE days_cte:
    fact_days_changed after fact_days_delete, i.e. the deleted days and any new one) and the rows
    without a timestamp. A join, not `in (subquery)`: the reference evaluator of bq-check would run
    the subquery once per row. -#}
{% macro fact_rows_to_build(ts, days_cte='days_to_build') -%}
    {%- if is_incremental() -%}
    left join {{ days_cte }} on {{ sendwise.fact_day(ts) }} = {{ days_cte }}.fact_day
    where {{ ts }} is null or {{ days_cte }}.fact_day is not null
    {%- endif -%}
{%- endmacro %}

{#- `alter table` statements (each ending with a semicolon) that give `this` the columns of the
    model's query: the missing ones added with the query's types, the extra ones dropped; empty when
    they already agree. A pre_hook that deletes rows runs them first: dbt's own on_schema_change runs
    after the hook, and DuckDB cannot alter a table it has deleted from in the same transaction. A
    column change comes with a code change, so the hook then rebuilds every row. -#}
{% macro schema_drift_statements() -%}
    {%- set wanted = get_column_schema_from_query(model.compiled_code) -%}
    {%- set have = adapter.get_columns_in_relation(this) -%}
    {%- set have_names = have | map(attribute='name') | map('lower') | list -%}
    {%- set wanted_names = wanted | map(attribute='name') | map('lower') | list -%}
    {%- for column in wanted if column.name | lower not in have_names %}
    alter table {{ this }} add column {{ adapter.quote(column.name) }} {{ column.data_type }};
    {%- endfor %}
    {%- for column in have if column.name | lower not in wanted_names %}
    alter table {{ this }} drop column {{ adapter.quote(column.name) }};
    {%- endfor %}
{%- endmacro %}
