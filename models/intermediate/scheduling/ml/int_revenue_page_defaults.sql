{{ config(materialized='table') }}
-- What a grid slot of the revenue model's scoring (int_revenue_scoring_candidates) assumes for each
-- active page: its median PPV price over price_window_days and its most sent content category and
-- caption style over the same days; where the page sent no PPV in that window
-- (is_page_history_missing), the agency's median price and most sent category, and no style.
with pages as (
    select page_key
    from {{ ref('stg_agency__pages') }}
    where is_active
),

recent_ppv as (
    select
        sends.page_key,
        sends.price,
        coalesce(sends.content_category, 'unknown') as content_category,
        {{ sendwise.caption_style_features('styles') }}
    from {{ ref('int_mass_messages_enriched') }} as sends
    left join {{ ref('int_caption_style_features') }} as styles
        on sends.caption_hash = styles.caption_hash
    where
        sends.is_ppv
        and sends.sent_at >= {{ sendwise.window_start('price_window_days') }}
),

page_prices as (
    select distinct
        page_key,
        {{ sendwise.percentile_cont_over('price', 0.5, 'page_key') }} as median_price
    from recent_ppv
),

global_price as (
    select distinct
        {{ sendwise.percentile_cont_over('price', 0.5, "'all'") }} as median_price
    from recent_ppv
),

category_counts as (
    select
        page_key,
        content_category,
        count(*) as n_sends
    from recent_ppv
    group by 1, 2
),

page_categories as (
    select
        page_key,
        content_category
    from category_counts
    qualify row_number() over (partition by page_key order by n_sends desc, content_category asc) = 1
),

global_category as (
    select content_category
    from category_counts
    group by 1
    qualify row_number() over (order by sum(n_sends) desc, content_category asc) = 1
),

style_counts as (
    select
        page_key,
        {{ sendwise.caption_style_features() }},
        count(*) as n_sends
    from recent_ppv
    where length_bin is not null
    group by 1, 2, 3, 4, 5, 6
),

page_styles as (
    select *
    from style_counts
    qualify
        row_number()
            over (
                partition by page_key
                order by
                    n_sends desc, length_bin asc, emoji_bin asc, has_cta asc, has_urgency asc, ends_with_question asc
            )
        = 1
),

final as (
    select
        pages.page_key,
        page_prices.page_key is null as is_page_history_missing,
        coalesce(page_prices.median_price, global_price.median_price) as median_price,
        coalesce(page_categories.content_category, global_category.content_category) as content_category,
        {{ sendwise.caption_style_features('page_styles') }}
    from pages
    left join global_price on true
    left join global_category on true
    left join page_prices on pages.page_key = page_prices.page_key
    left join page_categories on pages.page_key = page_categories.page_key
    left join page_styles on pages.page_key = page_styles.page_key
)

select * from final
