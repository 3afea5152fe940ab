-- The seeded Thompson draw (thompson_posterior_draw over portable_normal) has the Beta posterior's
-- mean and spread. Large fixture: 16,384 keys, p_mean = 0.25, n_eff = 99, so the posterior sd is
-- sqrt(0.25 * 0.75 / (99 + 1)) = sqrt(0.001875) = 0.0433013; the truncation at +-thompson_z_max
-- (4 sd, tail mass 6e-5) and the [0, 1] clamp (0.25 +- 0.173) leave both moments unchanged to
-- well within the tolerances: mean within 0.0015 (about 5 standard errors, 0.0433 / 128 = 0.00034)
-- and sd within 3 % (about 5 standard errors of an sd estimate, 1 / sqrt(2 * 16384) = 0.55 %).
-- Also: every draw lies in [p - z_max * sd, p + z_max * sd] (the shortlist's bound).
with keys as (
    {{ dbt.generate_series(16384) }}
),

draws as (
    select
        {{ sendwise.portable_normal(
            "concat('thompson-moments|', cast(cast(generated_number as " ~ dbt.type_int() ~ ") as " ~ dbt.type_string() ~ "))"
        ) }} as z
    from keys
),

posterior as (
    select {{ sendwise.thompson_posterior_draw('0.25', '99', 'z', sendwise.setting('thompson_z_max')) }} as p_draw
    from draws
),

moments as (
    select
        count(*) as draws,
        avg(p_draw) as draw_mean,
        stddev_samp(p_draw) as draw_sd,
        min(p_draw) as draw_min,
        max(p_draw) as draw_max
    from posterior
)

select *
from moments
where
    draws <> 16384
    or abs(draw_mean - 0.25) > 0.0015
    or abs(draw_sd / sqrt(0.001875) - 1) > 0.03
    or draw_min < 0.25 - {{ sendwise.setting('thompson_z_max') }} * sqrt(0.001875) - 1e-12
    or draw_max > 0.25 + {{ sendwise.setting('thompson_z_max') }} * sqrt(0.001875) + 1e-12
