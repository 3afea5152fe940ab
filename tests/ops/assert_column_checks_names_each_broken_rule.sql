-- The generic test column_checks (tests/generic): on five inline rows, each rule kind reports the
-- rule, the column (or columns, or expression) and the number of failing rows or repeated keys;
-- kept rules give no row, nulls are skipped where dbt's own tests skip them (unique, accepted
-- values, ranges, an expression that is null), a combination of columns counts nulls as equal, an
-- exclusive range rejects its bound, an expression's where_clause limits its rows and its text
-- keeps its apostrophes. No rows at all: no failure. Returns a row per broken expectation.
{%- set null_int = "cast(null as " ~ dbt.type_int() ~ ")" %}
{%- set null_text = "cast(null as " ~ dbt.type_string() ~ ")" %}
{%- set rows = "(select 1 as a, 'x' as b, 10 as c, 'on' as s"
    ~ " union all select 1, 'y', 20, 'off'"
    ~ " union all select " ~ null_int ~ ", 'y', 20, 'bad'"
    ~ " union all select " ~ null_int ~ ", " ~ null_text ~ ", 0, " ~ null_text
    ~ " union all select 4, " ~ null_text ~ ", 0, 'on')" %}
{%- set no_rows = "(select * from " ~ rows ~ " as five_rows where 1 = 0)" %}
{%- set rules = {
    'not_null': ['a', 'b', 'c'],
    'unique': ['a', 'c'],
    'unique_combinations': [['a', 'b'], ['b', 'c']],
    'accepted_values': {'s': ['on', 'off'], 'c': {'values': [0, 10], 'quote': false}},
    'accepted_range': {'c': {'min_value': 0, 'max_value': 20}, 'a': {'min_value': 1, 'inclusive': false}},
    'expressions': ["s <> 'bad'", {'expression': 'c > 0', 'where_clause': 'b is not null'},
        {'expression': 'c >= 10', 'where_clause': 'a is null'}],
} %}
with five_rows as (
    {{ test_column_checks(model=rows, **rules) }}
),

empty_passes as (
    {{ test_column_checks(model=no_rows, **rules) }}
),

reported as (
    select
        'five' as case_name,
        check_name,
        applies_to,
        failing_rows
    from five_rows
    union all
    select
        'empty' as case_name,
        check_name,
        applies_to,
        failing_rows
    from empty_passes
),

-- by hand, from the five rows above
expected as (
    select
        'five' as case_name,
        'not_null' as check_name,
        'a' as applies_to,
        2 as failing_rows
    union all
    select
        'five' as case_name,
        'not_null' as check_name,
        'b' as applies_to,
        2 as failing_rows
    union all
    -- a = 1 twice (its two nulls are skipped); c = 20 twice and c = 0 twice
    select
        'five' as case_name,
        'unique' as check_name,
        'a' as applies_to,
        1 as failing_rows
    union all
    select
        'five' as case_name,
        'unique' as check_name,
        'c' as applies_to,
        2 as failing_rows
    union all
    -- (y, 20) twice and (null, 0) twice; (a, b) holds no pair twice
    select
        'five' as case_name,
        'unique_combination' as check_name,
        'b, c' as applies_to,
        2 as failing_rows
    union all
    -- 'bad' (the null s is not counted); c = 20 twice, outside (0, 10)
    select
        'five' as case_name,
        'accepted_values' as check_name,
        's' as applies_to,
        1 as failing_rows
    union all
    select
        'five' as case_name,
        'accepted_values' as check_name,
        'c' as applies_to,
        2 as failing_rows
    union all
    -- a > 1 exclusive: a = 1 twice; c within [0, 20] inclusive everywhere
    select
        'five' as case_name,
        'accepted_range' as check_name,
        'a' as applies_to,
        2 as failing_rows
    union all
    -- s = 'bad' once (a null s makes the expression null, not false)
    select
        'five' as case_name,
        'expression' as check_name,
        concat('s <> ', {{ sendwise.single_quote() }}, 'bad', {{ sendwise.single_quote() }}) as applies_to,
        1 as failing_rows
    union all
    -- among the rows with a null a, c = 0 once; c > 0 holds wherever b is not null
    select
        'five' as case_name,
        'expression' as check_name,
        'c >= 10 where a is null' as applies_to,
        1 as failing_rows
),

compared as (
    select
        coalesce(expected.case_name, reported.case_name) as case_name,
        coalesce(expected.check_name, reported.check_name) as check_name,
        coalesce(expected.applies_to, reported.applies_to) as applies_to,
        case
            when reported.case_name is null then 'expected row not reported'
            else 'row reported but not expected'
        end as failure
    from expected
    full outer join reported
        on
            expected.case_name = reported.case_name
            and expected.check_name = reported.check_name
            and expected.applies_to = reported.applies_to
            and expected.failing_rows = reported.failing_rows
    where expected.case_name is null or reported.case_name is null
)

select * from compared
