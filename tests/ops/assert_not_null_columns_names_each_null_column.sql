-- The generic test not_null_columns (tests/generic): on inline rows, a null in any listed column
-- gives one failing row naming that column and its number of null rows; a null in an unlisted
-- column, rows without nulls and no rows at all give none. Returns a row per broken expectation.
{%- set null_int = "cast(null as " ~ dbt.type_int() ~ ")" %}
{%- set null_text = "cast(null as " ~ dbt.type_string() ~ ")" %}
{%- set null_in_first = "(select " ~ null_int ~ " as a, 'x' as b, 1 as c union all select 2, 'y', 2)" %}
{%- set null_in_last = "(select 1 as a, 'x' as b, 1 as c union all select 2, " ~ null_text ~ ", 2)" %}
{%- set nulls_in_both = "(select " ~ null_int ~ " as a, " ~ null_text ~ " as b, 1 as c union all select "
    ~ null_int ~ ", 'y', 2 union all select 3, " ~ null_text ~ ", 3)" %}
{%- set null_unlisted = "(select 1 as a, 'x' as b, " ~ null_int ~ " as c)" %}
{%- set no_rows = "(select * from (select 1 as a, 'x' as b, 1 as c) as one_row where 1 = 0)" %}
with first_fails as (
    {{ test_not_null_columns(model=null_in_first, columns=['a', 'b']) }}
),

last_fails as (
    {{ test_not_null_columns(model=null_in_last, columns=['a', 'b']) }}
),

both_fail as (
    {{ test_not_null_columns(model=nulls_in_both, columns=['a', 'b']) }}
),

unlisted_passes as (
    {{ test_not_null_columns(model=null_unlisted, columns=['a', 'b']) }}
),

empty_passes as (
    {{ test_not_null_columns(model=no_rows, columns=['a', 'b', 'c']) }}
),

reported as (
    select
        'first' as case_name,
        column_name,
        null_rows
    from first_fails
    union all
    select
        'last' as case_name,
        column_name,
        null_rows
    from last_fails
    union all
    select
        'both' as case_name,
        column_name,
        null_rows
    from both_fail
    union all
    select
        'unlisted' as case_name,
        column_name,
        null_rows
    from unlisted_passes
    union all
    select
        'empty' as case_name,
        column_name,
        null_rows
    from empty_passes
),

-- by hand: one row per column holding nulls, with its number of null rows
expected as (
    select
        'first' as case_name,
        'a' as column_name,
        1 as null_rows
    union all
    select
        'last' as case_name,
        'b' as column_name,
        1 as null_rows
    union all
    select
        'both' as case_name,
        'a' as column_name,
        2 as null_rows
    union all
    select
        'both' as case_name,
        'b' as column_name,
        2 as null_rows
),

compared as (
    select
        coalesce(expected.case_name, reported.case_name) as case_name,
        coalesce(expected.column_name, reported.column_name) as column_name,
        case
            when reported.case_name is null then 'expected row not reported'
            else 'row reported but not expected'
        end as failure
    from expected
    full outer join reported
        on
            expected.case_name = reported.case_name
            and expected.column_name = reported.column_name
            and expected.null_rows = reported.null_rows
    where expected.case_name is null or reported.case_name is null
)

select * from compared
