-- STUB (foundation): a balanced ladder (p50 / p60 / p80 of 90-day PPV prices) until the learning
-- issue builds the real price profile and ladder.
-- Interface: one row per (page_key, ladder_rung 1..3, cheapest first) with price_mode and ladder_price.
with ppv as (
    select
        page_key,
        price
    from {{ ref('int_mass_messages_enriched') }}
    where is_ppv and age_days <= {{ sendwise.setting('price_window_days') }}
),

percentiles as (
    select distinct
        page_key,
        {{ sendwise.percentile_cont_over('price', 0.5, 'page_key') }} as p50,
        {{ sendwise.percentile_cont_over('price', 0.6, 'page_key') }} as p60,
        {{ sendwise.percentile_cont_over('price', 0.8, 'page_key') }} as p80
    from ppv
),

final as (
    select
        page_key,
        'balanced' as price_mode,
        1 as ladder_rung,
        round(p50) as ladder_price
    from percentiles
    union all
    select
        page_key,
        'balanced' as price_mode,
        2 as ladder_rung,
        round(p60) as ladder_price
    from percentiles
    union all
    select
        page_key,
        'balanced' as price_mode,
        3 as ladder_rung,
        round(p80) as ladder_price
    from percentiles
)

select * from final
