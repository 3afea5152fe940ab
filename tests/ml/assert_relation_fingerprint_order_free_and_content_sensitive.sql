-- relation_fingerprint (the ML models' reuse key): the same rows in another order give the same
-- fingerprint; a changed value, an extra duplicate row or a removed row each change it; a column
-- left out (`exclude`, e.g. a build stamp) does not count. Returns a row per broken expectation.
{%- set base_rows = "(select 1 as a, 'x' as b union all select 2, 'y' union all select 3, 'z')" %}
{%- set reordered_rows = "(select 3 as a, 'z' as b union all select 1, 'x' union all select 2, 'y')" %}
{%- set changed_rows = "(select 1 as a, 'x' as b union all select 2, 'y' union all select 3, 'w')" %}
{%- set duplicated_rows =
    "(select 1 as a, 'x' as b union all select 2, 'y' union all select 3, 'z' union all select 3, 'z')" %}
{%- set removed_rows = "(select 1 as a, 'x' as b union all select 2, 'y')" %}
{%- set stamped_rows =
    "(select 1 as a, 'x' as b, 7 as c union all select 2, 'y', 8 union all select 3, 'z', 9)" %}
with base as (
    {{ sendwise.relation_fingerprint('t', base_rows) }}
),

reordered as (
    {{ sendwise.relation_fingerprint('t', reordered_rows) }}
),

changed as (
    {{ sendwise.relation_fingerprint('t', changed_rows) }}
),

duplicated as (
    {{ sendwise.relation_fingerprint('t', duplicated_rows) }}
),

removed as (
    {{ sendwise.relation_fingerprint('t', removed_rows) }}
),

stamped as (
    {{ sendwise.relation_fingerprint('t', stamped_rows, exclude=['c']) }}
),

checks as (
    select
        'reordered differs' as failure,
        base.hash_xor != reordered.hash_xor or base.hash_sum != reordered.hash_sum as is_broken
    from base cross join reordered
    union all
    select
        'changed value not seen' as failure,
        base.hash_xor = changed.hash_xor and base.hash_sum = changed.hash_sum as is_broken
    from base cross join changed
    union all
    select
        'duplicate row not seen' as failure,
        base.row_count = duplicated.row_count and base.hash_sum = duplicated.hash_sum as is_broken
    from base cross join duplicated
    union all
    select
        'removed row not seen' as failure,
        base.row_count = removed.row_count as is_broken
    from base cross join removed
    union all
    select
        'excluded column counted' as failure,
        base.hash_xor != stamped.hash_xor or base.hash_sum != stamped.hash_sum as is_broken
    from base cross join stamped
)

select failure from checks
where is_broken
