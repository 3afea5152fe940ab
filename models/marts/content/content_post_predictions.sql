-- Predictions for the promo posts not yet scored (posted without a countable outcome as of
-- as_of, or not posted): the engagement rate from the ridge coefficients and the follow-through
-- probability from the logistic coefficients of the model cards, applied here in SQL (both are
-- linear in their features, so the stored coefficients are the whole model). A category level
-- the ridge never saw in training contributes 0 (has_unseen_category). Posts without a posting
-- hour are predicted at the hour-average (sin = cos = 0); posts without an outcome get the
-- training-mean viral score (the follow model's imputation row).
with features as (
    select * from {{ ref('int_content_post_features') }}
    where scoring_status <> 'scored'
),

engagement_card as (
    select * from {{ ref('ml_engagement_model') }}
),

follow_through_card as (
    select * from {{ ref('ml_follow_through_model') }}
),

engagement_terms as (
    select
        term,
        model_value as coefficient
    from engagement_card
    where record_type = 'coefficient'
),

engagement_status as (
    select
        max(fit_status) as fit_status,
        max(case when record_type = 'coefficient' and term = '(intercept)' then model_value end) as intercept
    from engagement_card
),

follow_through_parameters as (
    -- one row: the logistic coefficients and the viral-score imputation of the model card
    select
        max(fit_status) as fit_status,
        max(case when term = '(intercept)' and record_type = 'coefficient' then model_value end) as intercept,
        max(case when term = 'novelty_score' then model_value end) as novelty_weight,
        max(case when term = 'expertise_level' then model_value end) as expertise_weight,
        max(case when term = 'viral_score_scaled' and record_type = 'coefficient' then model_value end)
            as viral_weight,
        max(case when term = 'viral_score_scaled' and record_type = 'imputation' then model_value end)
            as viral_imputed
    from follow_through_card
),

engagement_feature_values as (
    select
        decision_id,
        'quality_score' as term,
        quality_score as feature_value,
        false as is_category
    from features
    union all
    select
        decision_id,
        'hour_sin' as term,
        hour_sin as feature_value,
        false as is_category
    from features
    union all
    select
        decision_id,
        'hour_cos' as term,
        hour_cos as feature_value,
        false as is_category
    from features
    union all
    select
        decision_id,
        'content_type=' || content_type as term,
        1.0 as feature_value,
        true as is_category
    from features
    union all
    select
        decision_id,
        'decision_type=' || decision_type as term,
        1.0 as feature_value,
        true as is_category
    from features
    union all
    select
        decision_id,
        'style_length=' || style_length as term,
        1.0 as feature_value,
        true as is_category
    from features
),

engagement_linear as (
    select
        engagement_feature_values.decision_id,
        sum(coalesce(engagement_feature_values.feature_value * engagement_terms.coefficient, 0.0)) as linear_sum,
        {{ sendwise.bool_or('engagement_feature_values.is_category and engagement_terms.term is null') }}
            as has_unseen_category
    from engagement_feature_values
    left join engagement_terms
        on engagement_feature_values.term = engagement_terms.term
    group by 1
),

scored as (
    select
        features.decision_id,
        features.scoring_status,
        features.content_type,
        features.decision_type,
        features.style_length,
        features.posting_hour,
        features.is_posting_hour_known,
        engagement_status.intercept + engagement_linear.linear_sum as engagement_rate_linear,
        engagement_status.fit_status = 'fitted' and engagement_linear.has_unseen_category as has_unseen_category,
        engagement_status.fit_status as engagement_fit_status,
        follow_through_parameters.intercept
        + follow_through_parameters.novelty_weight * features.novelty_score
        + follow_through_parameters.expertise_weight * features.expertise_level
        + follow_through_parameters.viral_weight
        * coalesce(features.viral_score_scaled, follow_through_parameters.viral_imputed) as follow_logit,
        features.viral_score_scaled is null as is_viral_score_imputed,
        follow_through_parameters.fit_status as follow_fit_status
    from features
    inner join engagement_linear
        on features.decision_id = engagement_linear.decision_id
    cross join engagement_status
    cross join follow_through_parameters
),

final as (
    select
        decision_id,
        scoring_status,
        content_type,
        decision_type,
        style_length,
        cast(posting_hour as {{ dbt.type_bigint() }}) as posting_hour,
        is_posting_hour_known,
        cast(engagement_rate_linear as {{ dbt.type_float() }}) as engagement_rate_linear,
        cast({{ sendwise.clamp('engagement_rate_linear', '0.0', '1.0') }} as {{ dbt.type_float() }})
            as predicted_engagement_rate,
        engagement_rate_linear > {{ sendwise.setting('content_success_er') }} as is_predicted_success,
        has_unseen_category,
        engagement_fit_status,
        cast(1.0 / (1.0 + exp(-follow_logit)) as {{ dbt.type_float() }}) as predicted_follow_probability,
        1.0 / (1.0 + exp(-follow_logit)) >= {{ sendwise.setting('content_follow_threshold') }}
            as is_predicted_follow_through,
        is_viral_score_imputed,
        follow_fit_status,
        {{ sendwise.as_of() }} as as_of
    from scored
)

select * from final
