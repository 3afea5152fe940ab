-- One row per fan-model pair, the unit of analysis: one fan id talking to two models is two
-- relationships. Lifetime totals, purchase timing, the stages reached and the pair's status
-- relative to as_of (same definitions as conversation_features, over the whole history).
with messages as (
    select * from {{ ref('int_fan_chat_messages') }}
),

pair_totals as (
    select
        fan_model_key,
        min(fan_id) as fan_id,
        min(page_key) as page_key,
        min(model_name) as model_name,
        count(distinct conversation_id) as conversations,
        min(message_at) as first_message_at,
        max(message_at) as last_message_at,
        count(*) as message_count,
        count(case when fan_message_kind <> 'empty' then 1 end) as fan_message_count,
        count(case when is_offer then 1 end) as offers,
        count(case when is_purchase then 1 end) as purchases,
        sum(ppv_revenue) as ppv_revenue,
        sum(tips) as tips_revenue,
        sum(revenue) as revenue,
        min(case when is_purchase then pair_row_number end) as first_purchase_row_number,
        min(case when is_purchase then message_at end) as first_purchase_at,
        max(case when is_purchase then message_at end) as last_purchase_at,
        max(stage) as last_stage,
        count(distinct stage) as stages  -- noqa: RF04
    from messages
    group by 1
),

final as (
    select
        fan_model_key,
        fan_id,
        page_key,
        model_name,
        conversations,
        first_message_at,
        last_message_at,
        message_count,
        fan_message_count,
        offers,
        purchases,
        {{ sendwise.safe_divide('purchases', 'offers') }} as purchase_rate,
        ppv_revenue,
        tips_revenue,
        revenue,
        first_purchase_row_number - 1 as messages_before_first_purchase,
        first_purchase_at,
        last_purchase_at,
        (
            {{ sendwise.epoch_seconds('first_purchase_at') }} - {{ sendwise.epoch_seconds('first_message_at') }}
        ) / 3600.0 as hours_to_first_purchase,
        (
            {{ sendwise.epoch_seconds('last_purchase_at') }} - {{ sendwise.epoch_seconds('first_purchase_at') }}
        ) / 86400.0 as days_between_first_and_last_purchase,
        stages,
        last_stage,
        {{ sendwise.age_days('last_message_at') }} as days_since_last_message,
        {{ sendwise.age_days('last_message_at') }} <= {{ sendwise.setting('fan_active_days') }} as is_active
    from pair_totals
)

select
    final.*,
    -- the build's as_of and start time: a mart not rebuilt by a failed build shows its old stamp
    {{ sendwise.build_stamp() }}
from final
