-- PPV history of each page by page-local (day of week, hour): the counts every slot-level and
-- page-level ranking term is built from, each over its own window relative to as_of
-- (slot sends 28 d, caption-decayed recipients 60 d, page prior 90 d, slot value 90 d,
-- style baseline 90 d). Sends of pages missing from the pages table have no local time and are
-- left out here (int_mass_messages_enriched keeps and flags them).
-- A window holds the sends at or after as_of minus its days (sent_at compared with a constant, so
-- BigQuery reads only the partitions of the longest window).
{%- set window_settings = [
    'slot_sends_window_days', 'caption_stats_window_days', 'page_prior_window_days',
    'slot_value_window_days', 'style_baseline_window_days'] %}

with ppv_sends as (
    select
        page_key,
        local_dow,
        local_hour,
        sent_at,
        caption_decay_weight,
        sent_count,
        purchased_count,
        earnings
    from {{ ref('int_mass_messages_enriched') }}
    where
        is_ppv
        and is_page_known
        and {{ sendwise.in_any_window('sent_at', window_settings) }}
),

windowed as (
    select
        *,
        sent_at >= {{ sendwise.window_start('slot_sends_window_days') }} as is_in_slot_window,
        sent_at >= {{ sendwise.window_start('caption_stats_window_days') }} as is_in_stats_window,
        sent_at >= {{ sendwise.window_start('page_prior_window_days') }} as is_in_prior_window,
        sent_at >= {{ sendwise.window_start('slot_value_window_days') }} as is_in_value_window,
        sent_at >= {{ sendwise.window_start('style_baseline_window_days') }} as is_in_baseline_window
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
    group by 1, 2, 3
)

select * from final
