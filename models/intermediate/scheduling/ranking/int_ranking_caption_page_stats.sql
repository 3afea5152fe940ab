-- Per page and caption text (caption_hash): the caption-decayed PPV statistics of the last
-- caption_stats_window_days (60 d), each send weighted by w = 0.5 ^ (age_days / caption_half_life_days)
-- (caption_decay_weight), and when the text was last used on the page (any message type, any age:
-- the cooldown's input):
--   w_sent = sum(w * sent_count), w_purchases = sum(w * purchased_count)
--   w_sent_context = sum(w * sent_count * context_factor): recipients restated at the page's average
--       context (a send at a strong hour counts for more recipients), the exposure of p_buy_eb
-- Keyed by caption_hash so library captions sharing one text share their history and cooldown.
{%- set stats_window_start = sendwise.window_start('caption_stats_window_days') %}

with sends as (
    select
        page_key,
        caption_hash,
        is_ppv,
        sent_at,
        age_days,
        caption_decay_weight,
        context_factor,
        sent_count,
        purchased_count
    from {{ ref('int_ranking_sends_in_context') }}
),

windowed as (
    select
        *,
        is_ppv and sent_at >= {{ stats_window_start }} as is_in_stats_window
    from sends
),

final as (
    select
        page_key,
        caption_hash,
        sum(case when is_in_stats_window then 1 else 0 end) as ppv_sends_60d,
        sum(case when is_in_stats_window then sent_count else 0 end) as sent_60d,
        sum(case when is_in_stats_window then purchased_count else 0 end) as purchases_60d,
        sum(case when is_in_stats_window then sent_count * caption_decay_weight else 0 end) as w_sent,
        sum(case when is_in_stats_window then purchased_count * caption_decay_weight else 0 end) as w_purchases,
        sum(
            case when is_in_stats_window then sent_count * caption_decay_weight * context_factor else 0 end
        ) as w_sent_context,
        max(sent_at) as last_used_at
    from windowed
    group by 1, 2
)

select * from final
