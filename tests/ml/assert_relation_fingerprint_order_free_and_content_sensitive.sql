-- relation_fingerprint (the ML models' reuse key): the same rows in another order give the same
-- fingerprint; a changed value, an extra duplicate row or a removed row each change it; a column
-- left out (`exclude`, e.g. a build stamp) does not count; a float that differs only by summation
-- noise, even on a rounding boundary (59.6878125 = 955.005 / 16), does not count, a change in its
-- sixth decimal does, and noise around zero (-1e-17 vs 0) does not either. Returns a row per broken expectation.
{%- set base_rows = "(select 1 as a, 'x' as b union all select 2, 'y' union all select 3, 'z')" %}
{%- set reordered_rows = "(select 3 as a, 'z' as b union all select 1, 'x' union all select 2, 'y')" %}
{%- set changed_rows = "(select 1 as a, 'x' as b union all select 2, 'y' union all select 3, 'w')" %}
{%- set duplicated_rows =
    "(select 1 as a, 'x' as b union all select 2, 'y' union all select 3, 'z' union all select 3, 'z')" %}
{%- set removed_rows = "(select 1 as a, 'x' as b union all select 2, 'y')" %}
{%- set stamped_rows =
    "(select 1 as a, 'x' as b, 7 as c union all select 2, 'y', 8 union all select 3, 'z', 9)" %}
{%- set exact_float = "(select 1 as a, cast(59.6878125 as " ~ dbt.type_float() ~ ") as f)" %}
{%- set float_noise_below = "(select 1 as a, cast(59.68781249999999 as " ~ dbt.type_float() ~ ") as f)" %}
{%- set float_noise_above = "(select 1 as a, cast(59.68781250000001 as " ~ dbt.type_float() ~ ") as f)" %}
{%- set float_zero = "(select 1 as a, cast(0 as " ~ dbt.type_float() ~ ") as f)" %}
{%- set float_negative_noise = "(select 1 as a, cast(-1e-17 as " ~ dbt.type_float() ~ ") as f)" %}
{%- set float_changed = "(select 1 as a, cast(59.687811 as " ~ dbt.type_float() ~ ") as f)" %}
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

exact_float as (
    {{ sendwise.relation_fingerprint('t', exact_float, float_columns=['f']) }}
),

float_noise_below as (
    {{ sendwise.relation_fingerprint('t', float_noise_below, float_columns=['f']) }}
),

float_noise_above as (
    {{ sendwise.relation_fingerprint('t', float_noise_above, float_columns=['f']) }}
),

float_zero as (
    {{ sendwise.relation_fingerprint('t', float_zero, float_columns=['f']) }}
),

float_negative_noise as (
    {{ sendwise.relation_fingerprint('t', float_negative_noise, float_columns=['f']) }}
),

float_changed as (
    {{ sendwise.relation_fingerprint('t', float_changed, float_columns=['f']) }}
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
    union all
    select
        'float noise below a rounding boundary counted' as failure,
        exact_float.hash_xor != float_noise_below.hash_xor as is_broken
    from exact_float cross join float_noise_below
    union all
    select
        'float noise above a rounding boundary counted' as failure,
        exact_float.hash_xor != float_noise_above.hash_xor as is_broken
    from exact_float cross join float_noise_above
    union all
    select
        'noise below zero counted' as failure,
        float_zero.hash_xor != float_negative_noise.hash_xor as is_broken
    from float_zero cross join float_negative_noise
    union all
    select
        'changed float not seen' as failure,
        exact_float.hash_xor = float_changed.hash_xor as is_broken
    from exact_float cross join float_changed
)

select failure from checks
where is_broken
