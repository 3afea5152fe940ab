{#- The caption-ranking policy (var ranking_policy): greedy (default: it earned the most in the forward evaluation, docs/ranking.md), ucb or thompson. -#}
{% macro ranking_policy() -%}
    {%- set policy = (var('ranking_policy', 'greedy') or 'greedy') | string | lower | trim -%}
    {%- if policy not in ['ucb', 'greedy', 'thompson'] -%}
        {{ exceptions.raise_compiler_error("var('ranking_policy') must be ucb, greedy or thompson, got: " ~ policy) }}
    {%- endif -%}
    {{ return(policy) }}
{%- endmacro %}

{#- Seeded Thompson draw from the Empirical-Bayes Beta posterior of a purchase rate.
    Posterior Beta(alpha, beta) with alpha = w_purchases + nu * mu and beta = w_sent - w_purchases
    + nu * (1 - mu): its mean is p_mean = p_buy_eb and its variance p(1-p) / (n_eff + 1) with
    n_eff = alpha + beta = w_sent + nu. Normal approximation (as beta_draw_normal_approx): z is a
    standard-normal column computed once per row with portable_normal(draw key); it is truncated to
    [-z_max, z_max] and the draw clamped to [0, 1]. The truncation makes p_mean + z_max * sd an exact
    upper bound of every draw (the shortlist relies on it). -#}
{% macro thompson_posterior_draw(p_mean, n_eff, z, z_max) -%}
    {{ sendwise.clamp(
        '(' ~ p_mean ~ ') + sqrt((' ~ p_mean ~ ') * (1.0 - (' ~ p_mean ~ ')) / ((' ~ n_eff ~ ') + 1.0)) * '
        ~ sendwise.clamp(z, '-(' ~ z_max ~ ')', z_max),
        '0.0', '1.0') }}
{%- endmacro %}

{#- The draw key of a (page, slot, caption) under a seed: 'page|YYYY-MM-DD HH:MM:SS|caption|seed'
    (identical text on both engines, so the portable hash gives the same draw). -#}
{% macro thompson_draw_key(page_key, slot_local_at, caption_id, seed) -%}
    {{ dbt.concat([
        page_key, "'|'",
        sendwise.format_timestamp(slot_local_at, '%Y-%m-%d %H:%M:%S'), "'|'",
        caption_id, "'|'",
        'cast(cast(' ~ seed ~ ' as ' ~ dbt.type_bigint() ~ ') as ' ~ dbt.type_string() ~ ')'
    ]) }}
{%- endmacro %}

{#- The UCB exploration bonus and its cap, in the unit of `mean` (a purchase probability in the
    shortlist's bound, dollars per recipient in the slot scores): min(uncapped, ucb_bonus_cap_mult *
    mean). One formula for both models (docs/ranking.md, "UCB"). -#}
{% macro ucb_bonus(uncapped, mean) -%}
    case
        when {{ uncapped }} > {{ sendwise.setting('ucb_bonus_cap_mult') }} * {{ mean }}
            then {{ sendwise.setting('ucb_bonus_cap_mult') }} * {{ mean }}
        else {{ uncapped }}
    end
{%- endmacro %}

{#- Whether ucb_bonus(uncapped, mean) is at its cap. -#}
{% macro is_ucb_bonus_capped(uncapped, mean) -%}
    {{ uncapped }} > {{ sendwise.setting('ucb_bonus_cap_mult') }} * {{ mean }}
{%- endmacro %}
