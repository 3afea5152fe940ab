{#- What to post next: one row per candidate arm with the numbers behind the choice.
    content scope - Thompson sampling: one seeded draw from each content type's Beta(alpha, beta)
    posterior; the highest draw is recommended. The draw is exact: for integer alpha and beta the
    alpha-th smallest of alpha + beta - 1 independent uniforms is Beta(alpha, beta)-distributed, and
    the uniforms are portable md5 hashes of (arm, as_of, seed, draw index), so a build is
    reproducible for a given as_of and identical on DuckDB and BigQuery. Above
    content_thompson_exact_max_n uniforms the normal approximation of the Beta is used (draw_method
    says which). Content types seen in posts but never counted are arms with Beta(1, 1).
    timing scope - UCB1 over the 24 UTC posting hours: reward = success (engagement rate above
    content_success_er), score = mean reward + sqrt(c * ln N / n) with N the outcomes over all hours,
    n the hour's outcomes, c = content_ucb1_exploration (2: classic UCB1). Untried hours (n = 0)
    come first (lowest hour first), then the highest score (ties: lower hour). -#}
with arms as (
    select * from {{ ref('content_bandit_arms') }}
),

content_arms as (
    select * from arms
    where scope = 'content'
),

timing_arm_counts as (
    select * from arms
    where scope = 'timing'
),

posts as (
    select * from {{ ref('stg_content__content_metadata') }}
),

known_content_types as (
    select distinct content_type from posts
),

content_candidates as (
    select
        coalesce(content_arms.arm_name, known_content_types.content_type) as arm_name,
        coalesce(content_arms.successes, 0) as successes,
        coalesce(content_arms.failures, 0) as failures,
        coalesce(content_arms.alpha, 1) as alpha,
        coalesce(content_arms.beta, 1) as beta,
        content_arms.mean_engagement_rate
    from known_content_types
    full outer join content_arms
        on known_content_types.content_type = content_arms.arm_name
),

draw_sizes as (
    select
        arm_name,
        alpha,
        beta,
        case
            when alpha + beta - 1 <= {{ sendwise.setting('content_thompson_exact_max_n') }}
                then alpha + beta - 1
            else 0
        end as n_uniforms
    from content_candidates
),

draw_indexes as (
    {{ sendwise.integer_series('(select max(draw_sizes.n_uniforms) from draw_sizes)', 'draw_index') }}
),

uniforms as (
    select
        draw_sizes.arm_name,
        draw_sizes.alpha,
        draw_indexes.draw_index,
        {{ sendwise.portable_uniform(
            'concat(' ~ sendwise.content_draw_key_parts('draw_sizes.arm_name')
            ~ ", '|', cast(draw_indexes.draw_index as " ~ dbt.type_string() ~ '))'
        ) }} as uniform_value
    from draw_sizes
    inner join draw_indexes
        on draw_sizes.n_uniforms >= draw_indexes.draw_index
),

uniforms_ranked as (
    select
        arm_name,
        alpha,
        uniform_value,
        row_number() over (partition by arm_name order by uniform_value, draw_index) as uniform_rank
    from uniforms
),

exact_draws as (
    select
        arm_name,
        uniform_value as thompson_draw
    from uniforms_ranked
    where uniform_rank = alpha
),

content_scored as (
    select
        content_candidates.arm_name,
        content_candidates.successes,
        content_candidates.failures,
        content_candidates.alpha,
        content_candidates.beta,
        content_candidates.mean_engagement_rate,
        coalesce(
            exact_draws.thompson_draw,
            {{ sendwise.beta_draw_normal_approx(
                'content_candidates.alpha',
                'content_candidates.beta',
                'concat(' ~ sendwise.content_draw_key_parts('content_candidates.arm_name') ~ ')'
            ) }}
        ) as thompson_draw,
        case
            when exact_draws.arm_name is not null then 'exact_order_statistic'
            else 'normal_approximation'
        end as draw_method
    from content_candidates
    left join exact_draws
        on content_candidates.arm_name = exact_draws.arm_name
),

content_ranked as (
    select
        'content' as scope,
        arm_name,
        arm_name as content_type,
        cast(null as {{ dbt.type_bigint() }}) as posting_hour,
        successes,
        failures,
        successes + failures as n_outcomes,
        alpha,
        beta,
        alpha / (alpha + beta + 0.0) as posterior_mean,
        mean_engagement_rate,
        thompson_draw,
        draw_method,
        cast(null as {{ dbt.type_float() }}) as mean_reward,
        cast(null as {{ dbt.type_float() }}) as ucb_bonus,
        cast(null as {{ dbt.type_float() }}) as ucb_score,
        successes + failures = 0 as is_untried,
        sum(successes + failures) over () as scope_outcomes,
        row_number() over (order by thompson_draw desc, arm_name asc) as rank_in_scope
    from content_scored
),

hours as (
    select cast(generated_number - 1 as {{ dbt.type_bigint() }}) as posting_hour
    from ({{ dbt.generate_series(24) }}) as hour_series
),

timing_arms as (
    select
        hours.posting_hour,
        'hour_' || lpad(cast(hours.posting_hour as {{ dbt.type_string() }}), 2, '0') as arm_name,
        coalesce(timing_arm_counts.successes, 0) as successes,
        coalesce(timing_arm_counts.failures, 0) as failures,
        coalesce(timing_arm_counts.alpha, 1) as alpha,
        coalesce(timing_arm_counts.beta, 1) as beta,
        timing_arm_counts.mean_engagement_rate
    from hours
    left join timing_arm_counts
        on hours.posting_hour = timing_arm_counts.posting_hour
),

timing_totals as (
    select
        *,
        successes + failures as n_outcomes,
        sum(successes + failures) over () as scope_outcomes
    from timing_arms
),

timing_scored as (
    select
        *,
        case when n_outcomes > 0 then successes / (n_outcomes + 0.0) end as mean_reward,
        case
            when n_outcomes > 0
                then sqrt(
                        {{ sendwise.setting('content_ucb1_exploration') }}
                        * ln(case when scope_outcomes > 1 then scope_outcomes else 1 end) / n_outcomes
                    )
        end as ucb_bonus
    from timing_totals
),

timing_ranked as (
    select
        'timing' as scope,
        arm_name,
        cast(null as {{ dbt.type_string() }}) as content_type,
        posting_hour,
        successes,
        failures,
        n_outcomes,
        alpha,
        beta,
        alpha / (alpha + beta + 0.0) as posterior_mean,
        mean_engagement_rate,
        cast(null as {{ dbt.type_float() }}) as thompson_draw,
        cast(null as {{ dbt.type_string() }}) as draw_method,
        mean_reward,
        ucb_bonus,
        mean_reward + ucb_bonus as ucb_score,
        n_outcomes = 0 as is_untried,
        scope_outcomes,
        row_number() over (
            order by case when n_outcomes = 0 then 0 else 1 end asc, mean_reward + ucb_bonus desc, posting_hour asc
        ) as rank_in_scope
    from timing_scored
),

unioned as (
    select * from content_ranked
    union all
    select * from timing_ranked
),

final as (
    select
        scope,
        arm_name,
        content_type,
        posting_hour,
        cast(successes as {{ dbt.type_bigint() }}) as successes,
        cast(failures as {{ dbt.type_bigint() }}) as failures,
        cast(n_outcomes as {{ dbt.type_bigint() }}) as n_outcomes,
        cast(alpha as {{ dbt.type_bigint() }}) as alpha,
        cast(beta as {{ dbt.type_bigint() }}) as beta,
        cast(posterior_mean as {{ dbt.type_float() }}) as posterior_mean,
        cast(mean_engagement_rate as {{ dbt.type_float() }}) as mean_engagement_rate,
        cast(thompson_draw as {{ dbt.type_float() }}) as thompson_draw,
        draw_method,
        cast(mean_reward as {{ dbt.type_float() }}) as mean_reward,
        cast(ucb_bonus as {{ dbt.type_float() }}) as ucb_bonus,
        cast(ucb_score as {{ dbt.type_float() }}) as ucb_score,
        is_untried,
        cast(scope_outcomes as {{ dbt.type_bigint() }}) as scope_outcomes,
        cast(rank_in_scope as {{ dbt.type_bigint() }}) as rank_in_scope,
        rank_in_scope = 1 as is_recommended
    from unioned
)

select
    final.*,
    -- the build's as_of and start time: a mart not rebuilt by a failed build shows its old stamp
    {{ sendwise.build_stamp() }}
from final
