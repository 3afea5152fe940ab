-- Portability check of the Thompson draw (run by pytests/ranking/test_thompson_portability.py):
-- compiled for DuckDB and for BigQuery, the BigQuery text transpiled back with sqlglot, both must
-- give the same hash, uniforms, normal variate and draw for every key. No refs, so the BigQuery
-- text runs on DuckDB once transpiled; the fixture posterior (p 0.25, n_eff 99, z_max 4) is
-- literal for the same reason.
with series as (
    {{ dbt.generate_series(512) }}
),

keys as (
    -- generate_series yields a float on BigQuery: key text must come from an integer on both
    select cast(generated_number as {{ dbt.type_int() }}) as generated_number
    from series
),

keyed as (
    select
        generated_number,
        {{ sendwise.thompson_draw_key(
            "'page_' || cast(mod(generated_number, 7) as " ~ dbt.type_string() ~ ")",
            dbt.dateadd('hour', 'generated_number', "cast('2026-11-15 00:00:00' as " ~ dbt.type_timestamp() ~ ")"),
            "'cap_' || cast(generated_number as " ~ dbt.type_string() ~ ")",
            '20261122'
        ) }} as draw_key
    from keys
),

drawn as (
    select
        generated_number,
        draw_key,
        {{ sendwise.portable_hash_int('draw_key') }} as hash_int,
        {{ sendwise.portable_uniform('draw_key') }} as uniform,
        {{ sendwise.portable_normal('draw_key') }} as z
    from keyed
),

final as (
    select
        generated_number,
        draw_key,
        hash_int,
        uniform,
        z,
        {{ sendwise.thompson_posterior_draw('0.25', '99', 'z', '4') }} as p_draw
    from drawn
)

select * from final
