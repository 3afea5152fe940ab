-- The hourly slots of the next ranking_horizon_hours (24) page-local hours of every active page,
-- each with what does not depend on the caption: its UTC time, the slot's send history, its
-- price (a rung of the page's price ladder) and the UCB sigma.
--
-- The slots and their times come from int_ranking_slot_grid (from the first page-local full hour at or
-- after as_of; slot_utc_at for the cross-page window, which compares UTC times).
--
-- Slot -> ladder rung (unit-tested rule): the page's slots are ordered by their page-hour value
-- (revenue per PPV send at that local hour over slot_value_window_days, hours without sends last,
-- then by time) and cut into as many equal groups as the ladder has rungs: the most valuable
-- third gets the highest rung (rung 3 = highest price), the least valuable third rung 1:
--     ladder_rung = n_rungs - floor((slot_value_rank - 1) * n_rungs / n_slots)
-- The price is the page's ladder price at that rung; a page without a ladder takes the mean of
-- the other pages' prices at that rung, and default_slot_price when no page has a ladder
-- (price_source says which).
--
-- sigma = (ucb_sigma_min + (ucb_sigma_max - ucb_sigma_min)
--          * (0.5 / (1 + log10(1 + sends_28d_slot)) + 0.5 / (1 + log10(1 + w_sent_60d_page))))
--         * exploration_rate / exploration_rate_reference * exploration_multiplier
-- sends_28d_slot = PPV sends of the page at this local hour in slot_sends_window_days;
-- w_sent_60d_page = the page's caption-decayed recipients in caption_stats_window_days.
-- exploration_multiplier = 1 + the caption experiment's feedback (int_experiment_caption_feedback: the
-- bounded recommended_exploration_shift of the latest earlier build's experiment_results; 1 without
-- results, which leaves the ranking exactly as it was). int_ranking_caption_scores multiplies the caption
-- Empirical-Bayes prior strength by the same factor, so the ranking explores more (a larger UCB bonus,
-- more shrinkage of each caption's record toward its prior) when the randomised top-k beat the top-1.
with slots_localised as (
    select * from {{ ref('int_ranking_slot_grid') }}
),

page_priors as (
    select * from {{ ref('int_ranking_page_priors') }}
),

page_hour_stats as (
    select * from {{ ref('int_ranking_page_hour_stats') }}
),

personalization as (
    select
        page_key,
        exploration_rate
    from {{ ref('page_personalization_weights') }}
),

experiment_feedback as (
    select exploration_multiplier
    from {{ ref('int_experiment_caption_feedback') }}
),

price_ladder as (
    select
        page_key,
        price_mode,
        ladder_rung,
        ladder_price
    from {{ ref('int_page_price_ladder') }}
),

hour_history as (
    select
        page_key,
        local_hour,
        sum(ppv_sends_slot_window) as sends_28d_slot,
        sum(ppv_sends_value_window) as ppv_sends_value_window,
        sum(earnings_value_window) as earnings_value_window
    from page_hour_stats
    group by 1, 2
),

page_ladder_shape as (
    select
        page_key,
        max(ladder_rung) as n_rungs,
        min(price_mode) as price_mode
    from price_ladder
    group by 1
),

agency_ladder as (
    select
        ladder_rung,
        avg(ladder_price) as ladder_price
    from price_ladder
    group by 1
),

agency_ladder_shape as (
    select max(ladder_rung) as n_rungs
    from price_ladder
),

slots_valued as (
    select
        slots_localised.*,
        coalesce(hour_history.sends_28d_slot, 0) as sends_28d_slot,
        {{ sendwise.safe_divide('hour_history.earnings_value_window', 'hour_history.ppv_sends_value_window') }}
            as slot_hour_rps,
        row_number() over (
            partition by slots_localised.page_key
            order by
                {{ sendwise.safe_divide(
                    'hour_history.earnings_value_window', 'hour_history.ppv_sends_value_window'
                ) }} desc nulls last,
                slots_localised.slot_local_at asc
        ) as slot_value_rank,
        count(*) over (partition by slots_localised.page_key) as n_slots
    from slots_localised
    left join hour_history
        on
            slots_localised.page_key = hour_history.page_key
            and slots_localised.slot_local_hour = hour_history.local_hour
),

slots_rung as (
    select
        slots_valued.*,
        coalesce(page_ladder_shape.n_rungs, agency_ladder_shape.n_rungs, 1) as n_rungs,
        page_ladder_shape.price_mode,
        coalesce(page_ladder_shape.n_rungs, agency_ladder_shape.n_rungs, 1)
        - cast(floor(
            (slots_valued.slot_value_rank - 1)
            * coalesce(page_ladder_shape.n_rungs, agency_ladder_shape.n_rungs, 1)
            / cast(slots_valued.n_slots as {{ dbt.type_float() }})
        ) as {{ dbt.type_int() }}) as ladder_rung
    from slots_valued
    left join page_ladder_shape on slots_valued.page_key = page_ladder_shape.page_key
    cross join agency_ladder_shape
),

slots_priced as (
    select
        slots_rung.*,
        coalesce(
            page_ladder.ladder_price,
            agency_ladder.ladder_price,
            {{ sendwise.setting('default_slot_price') }}
        ) as slot_price,
        case
            when page_ladder.ladder_price is not null then 'page_ladder'
            when agency_ladder.ladder_price is not null then 'agency_ladder'
            else 'default'
        end as price_source
    from slots_rung
    left join price_ladder as page_ladder
        on
            slots_rung.page_key = page_ladder.page_key
            and slots_rung.ladder_rung = page_ladder.ladder_rung
    left join agency_ladder on slots_rung.ladder_rung = agency_ladder.ladder_rung
),

slots_explored as (
    select
        slots_priced.*,
        page_priors.w_sent_60d_page,
        coalesce(personalization.exploration_rate, {{ sendwise.setting('exploration_rate_reference') }})
            as exploration_rate,
        personalization.exploration_rate is null as is_exploration_rate_defaulted,
        coalesce(experiment_feedback.exploration_multiplier, 1.0) as exploration_multiplier
    from slots_priced
    left join page_priors on slots_priced.page_key = page_priors.page_key
    left join personalization on slots_priced.page_key = personalization.page_key
    left join experiment_feedback on true
),

final as (
    select
        page_key,
        time_zone,
        slot_index,
        slot_local_at,
        slot_utc_at,
        slot_local_date,
        slot_local_hour,
        slot_local_dow,
        is_in_active_window,
        sends_28d_slot,
        slot_hour_rps,
        slot_value_rank,
        n_slots,
        n_rungs,
        ladder_rung,
        price_mode,
        slot_price,
        price_source,
        w_sent_60d_page,
        exploration_rate,
        is_exploration_rate_defaulted,
        exploration_multiplier,
        (
            {{ sendwise.setting('ucb_sigma_min') }}
            + ({{ sendwise.setting('ucb_sigma_max') }} - {{ sendwise.setting('ucb_sigma_min') }})
            * (
                0.5 / (1 + log10(1 + sends_28d_slot))
                + 0.5 / (1 + log10(1 + w_sent_60d_page))
            )
        ) * exploration_rate / {{ sendwise.setting('exploration_rate_reference') }} * exploration_multiplier as sigma
    from slots_explored
)

select * from final
