-- PPV history of each page by page-local (day of week, hour): the counts every slot-level and
-- page-level ranking term is built from, each over its own window relative to as_of
-- (slot sends 28 d, caption-decayed recipients 60 d, page prior 90 d, slot value 90 d,
-- style baseline 90 d). Sends of pages missing from the pages table have no local time and are
-- left out here (int_mass_messages_enriched keeps and flags them).
with ppv_sends as (
    select
        page_key,
        local_dow,
        local_hour,
        age_days,
        caption_decay_weight,
        sent_count,
        purchased_count,
        earnings
    from {{ ref('int_mass_messages_enriched') }}
    where
        is_ppv
        and is_page_known
),

windowed as (
    select
        *,
        age_days <= {{ sendwise.setting('slot_sends_window_days') }} as is_in_slot_window,
        age_days <= {{ sendwise.setting('caption_stats_window_days') }} as is_in_stats_window,
        age_days <= {{ sendwise.setting('page_prior_window_days') }} as is_in_prior_window,
        age_days <= {{ sendwise.setting('slot_value_window_days') }} as is_in_value_window,
        age_days <= {{ sendwise.setting('style_baseline_window_days') }} as is_in_baseline_window
    from ppv_sends
),

final as (
    select
        page_key,
        local_dow,
        local_hour,
        sum(case when is_in_slot_window then 1 else 0 end) as ppv_sends_slot_window,
        sum(case when is_in_stats_window then sent_count * caption_decay_weight else 0 end) as w_sent_stats_window,
        sum(case when is_in_prior_window then sent_count else 0 end) as sent_prior_window,
        sum(case when is_in_prior_window then purchased_count else 0 end) as purchases_prior_window,
        sum(case when is_in_value_window then 1 else 0 end) as ppv_sends_value_window,
        sum(case when is_in_value_window then earnings else 0 end) as earnings_value_window,
        sum(case when is_in_baseline_window then sent_count else 0 end) as sent_baseline_window,
        sum(case when is_in_baseline_window then purchased_count else 0 end) as purchases_baseline_window
    from windowed
    where
        is_in_slot_window
        or is_in_stats_window
        or is_in_prior_window
        or is_in_value_window
        or is_in_baseline_window
    group by 1, 2, 3
)

select * from final
