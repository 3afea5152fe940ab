{#- A model's column rules in one dbt test (issue 20): each data test is a dbt node costing ~16 ms
    of the build's wall time in dbt's own work however small its query, so a model's rules of the
    plain kinds are declared together at the model level and checked by one query. Arguments (each
    optional, at least one given):
      not_null: [column, ...]                  no null in the column
      unique: [column, ...]                    no non-null value twice (dbt's `unique`)
      unique_combinations: [[column, ...], ...]  no combination twice (unique_combination_of_columns)
      accepted_values: {column: [value, ...]}  or {column: {values: [...], quote: false}}: every
                                               non-null value listed (dbt's `accepted_values`;
                                               quoted as text unless quote: false)
      accepted_range: {column: {min_value: x, max_value: y, inclusive: true}}  non-null values in
                                               range (the project's accepted_range; bounds optional)
      expressions: [sql, ...]                  or {expression: sql, where_clause: sql}: every row
                                               (matching where_clause) makes the expression true or
                                               null (the project's expression_is_true)
    It fails with one row per broken rule: check_name, applies_to (the column, the columns or the
    expression) and failing_rows (rows breaking a row rule; values or combinations held twice for
    the unique rules). A column the model's YAML does not document is a compile error (when the
    test finds the model in the graph). The row rules are one aggregate over the rows; each unique
    rule one grouped scan. The rows get an alias: on BigQuery an unqualified name that is also the
    table's name means the whole row, not the column. Rules with their own severity, `where` or
    name stay separate tests. -#}
{% test column_checks(model, not_null=none, unique=none, unique_combinations=none, accepted_values=none,
    accepted_range=none, expressions=none) %}

{%- set row_rules = [] %}
{%- set key_rules = [] %}
{%- set named_columns = [] %}

{%- for column in sendwise.column_checks_list(model, 'not_null', not_null) %}
    {%- do named_columns.append(column) %}
    {%- do row_rules.append({'check': 'not_null', 'applies_to': column, 'fails': column ~ ' is null'}) %}
{%- endfor %}

{%- for column in sendwise.column_checks_list(model, 'unique', unique) %}
    {%- do named_columns.append(column) %}
    {%- do key_rules.append({'check': 'unique', 'applies_to': column, 'columns': [column], 'skip_nulls': true}) %}
{%- endfor %}

{%- for columns in sendwise.column_checks_list(model, 'unique_combinations', unique_combinations) %}
    {%- if columns is string or columns is mapping or columns is not iterable or columns | length == 0 %}
        {{ exceptions.raise_compiler_error("column_checks on " ~ model
            ~ ": each of unique_combinations must be a non-empty list of columns, got " ~ (columns | string)) }}
    {%- endif %}
    {%- do named_columns.extend(columns) %}
    {%- do key_rules.append({'check': 'unique_combination', 'applies_to': columns | join(', '),
        'columns': columns, 'skip_nulls': false}) %}
{%- endfor %}

{%- for column, spec in sendwise.column_checks_mapping(model, 'accepted_values', accepted_values) %}
    {%- set values = spec['values'] if spec is mapping else spec %}
    {%- set quote = spec.get('quote', true) if spec is mapping else true %}
    {%- if values is string or values is mapping or values is not iterable or values | length == 0 %}
        {{ exceptions.raise_compiler_error("column_checks on " ~ model ~ ": accepted_values of "
            ~ column ~ " must be a non-empty list, got " ~ (values | string)) }}
    {%- endif %}
    {%- set listed = [] %}
    {%- for value in values %}
        {%- do listed.append("'" ~ value ~ "'" if quote else value | string) %}
    {%- endfor %}
    {%- do named_columns.append(column) %}
    {%- do row_rules.append({'check': 'accepted_values', 'applies_to': column,
        'fails': column ~ ' is not null and ' ~ column ~ ' not in (' ~ listed | join(', ') ~ ')'}) %}
{%- endfor %}

{%- for column, spec in sendwise.column_checks_mapping(model, 'accepted_range', accepted_range) %}
    {%- if spec is not mapping or (spec.get('min_value') is none and spec.get('max_value') is none) %}
        {{ exceptions.raise_compiler_error("column_checks on " ~ model ~ ": accepted_range of " ~ column
            ~ " needs min_value or max_value, got " ~ (spec | string)) }}
    {%- endif %}
    {%- set inclusive = spec.get('inclusive', true) %}
    {%- set outside = [] %}
    {%- if spec.get('min_value') is not none %}
        {%- do outside.append(column ~ (' < ' if inclusive else ' <= ') ~ spec['min_value']) %}
    {%- endif %}
    {%- if spec.get('max_value') is not none %}
        {%- do outside.append(column ~ (' > ' if inclusive else ' >= ') ~ spec['max_value']) %}
    {%- endif %}
    {%- do named_columns.append(column) %}
    {%- do row_rules.append({'check': 'accepted_range', 'applies_to': column,
        'fails': column ~ ' is not null and (' ~ outside | join(' or ') ~ ')'}) %}
{%- endfor %}

{%- for rule in sendwise.column_checks_list(model, 'expressions', expressions) %}
    {%- set expression = rule['expression'] if rule is mapping else rule %}
    {%- set where_clause = rule.get('where_clause') if rule is mapping else none %}
    {%- if expression is not string or expression | trim == '' %}
        {{ exceptions.raise_compiler_error("column_checks on " ~ model
            ~ ": each of expressions must be SQL text or {expression, where_clause}, got " ~ (rule | string)) }}
    {%- endif %}
    {%- do row_rules.append({'check': 'expression', 'applies_to': expression
        ~ (' where ' ~ where_clause if where_clause else ''),
        'fails': ('(' ~ where_clause ~ ') and ' if where_clause else '') ~ 'not (' ~ expression ~ ')'}) %}
{%- endfor %}

{%- if row_rules | length + key_rules | length == 0 %}
    {{ exceptions.raise_compiler_error("column_checks on " ~ model ~ ": no rule given") }}
{%- endif %}
{%- if execute %}
    {%- set documented = sendwise.documented_columns(model) %}
    {%- if documented is not none %}
        {%- set unknown = [] %}
        {%- for column in named_columns if column | lower not in documented and column not in unknown %}
            {%- do unknown.append(column) %}
        {%- endfor %}
        {%- if unknown %}
            {{ exceptions.raise_compiler_error(
                "column_checks on " ~ model ~ ": unknown column(s) " ~ (unknown | join(', '))
                ~ " (not among the columns its YAML documents: " ~ (documented | join(', ')) ~ ")") }}
        {%- endif %}
    {%- endif %}
{%- endif %}
{%- set rules = row_rules + key_rules %}

select
    check_name,
    applies_to,
    failing_rows
from (
    select
        listed.check_name,
        listed.applies_to,
        case listed.rule_position
            {%- for rule in rules %}
            when {{ loop.index }} then {{ 'row_counts' if loop.index <= row_rules | length else 'key_counts' }}.failing_{{ loop.index }}
            {%- endfor %}
        end as failing_rows
    from (
        {%- for rule in rules %}
        select
            {{ loop.index }} as rule_position,
            '{{ rule.check }}' as check_name,
            {{ sendwise.column_checks_text(rule.applies_to) }} as applies_to
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
    ) as listed
    {%- if row_rules %}
    cross join (
        select
            {%- for rule in row_rules %}
            sum(case when {{ rule.fails }} then 1 else 0 end) as failing_{{ loop.index }}
            {{- ',' if not loop.last }}
            {%- endfor %}
        from (select * from {{ model }}) as dbt_test_rows
    ) as row_counts
    {%- endif %}
    {%- if key_rules %}
    {#- each unique rule a scalar subquery of one select (siblings, not a chain of joins: the
        analyzer's tree stays as deep with 10 unique rules as with one) #}
    cross join (
        select
            {%- for rule in key_rules %}
            (
                select count(*)
                from (
                    select {{ rule.columns | join(', ') }}
                    from (select * from {{ model }}) as dbt_test_rows
                    {%- if rule.skip_nulls %}
                    where {{ rule.columns[0] }} is not null
                    {%- endif %}
                    group by {{ rule.columns | join(', ') }}
                    having count(*) > 1
                ) as repeated_keys
            ) as failing_{{ row_rules | length + loop.index }}
            {{- ',' if not loop.last }}
            {%- endfor %}
    ) as key_counts
    {%- endif %}
) as per_rule
where failing_rows > 0

{% endtest %}

