-- relation_fingerprint (the ML models' reuse key): the same rows in another order give the same
-- fingerprint; a changed value, an extra duplicate row or a removed row each change it. Returns a
-- row per broken expectation.
with base as (
    {{ sendwise.relation_fingerprint('t', "(select 1 as a, 'x' as b union all select 2, 'y' union all select 3, 'z')") }}
),

reordered as (
    {{ sendwise.relation_fingerprint('t', "(select 3 as a, 'z' as b union all select 1, 'x' union all select 2, 'y')") }}
),

changed as (
    {{ sendwise.relation_fingerprint('t', "(select 1 as a, 'x' as b union all select 2, 'y' union all select 3, 'w')") }}
),

duplicated as (
    {{ sendwise.relation_fingerprint('t', "(select 1 as a, 'x' as b union all select 2, 'y' union all select 3, 'z' union all select 3, 'z')") }}
),

removed as (
    {{ sendwise.relation_fingerprint('t', "(select 1 as a, 'x' as b union all select 2, 'y')") }}
),

checks as (
    select
        'reordered differs' as failure,
        base.hash_xor != reordered.hash_xor or base.hash_sum != reordered.hash_sum as is_broken
    from base cross join reordered
    union all
    select
        'changed value not seen',
        base.hash_xor = changed.hash_xor and base.hash_sum = changed.hash_sum
    from base cross join changed
    union all
    select
        'duplicate row not seen',
        base.row_count = duplicated.row_count and base.hash_sum = duplicated.hash_sum
    from base cross join duplicated
    union all
    select
        'removed row not seen',
        base.row_count = removed.row_count
    from base cross join removed
)

select failure from checks
where is_broken
