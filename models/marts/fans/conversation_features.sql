-- Features of every conversation (docs/fans.md). Money: revenue = PPV revenue (price of bought
-- offers) + tips. Rates are null where the denominator is 0. Purchase timing columns are null
-- for conversations without a purchase. Status columns describe the fan-model pair (the
-- customer) relative to as_of and repeat on each of its conversations.
with messages as (
    select * from {{ ref('int_fan_chat_messages') }}
),

first_purchases as (
    select
        conversation_id,
        min(case when is_purchase then conversation_row_number end) as first_purchase_row_number,
        min(case when is_purchase then message_at end) as first_purchase_at,
        max(case when is_purchase then message_at end) as last_purchase_at
    from messages
    group by 1
),

conversation_totals as (
    select
        messages.conversation_id,
        min(messages.fan_model_key) as fan_model_key,
        min(messages.message_at) as started_at,
        max(messages.message_at) as ended_at,
        count(*) as message_count,
        count(case when messages.fan_message_kind <> 'empty' then 1 end) as fan_message_count,
        count(case when messages.is_offer then 1 end) as offers,
        count(case when messages.is_purchase then 1 end) as purchases,
        sum(messages.ppv_revenue) as ppv_revenue,
        sum(messages.tips) as tips_revenue,
        sum(messages.revenue) as revenue
    from messages
    group by 1
),

pair_last_messages as (
    select
        fan_model_key,
        max(message_at) as pair_last_message_at
    from messages
    group by 1
),

final as (
    select
        conversation_totals.conversation_id,
        conversation_totals.fan_model_key,
        conversation_totals.started_at,
        conversation_totals.ended_at,
        conversation_totals.message_count,
        conversation_totals.fan_message_count,
        conversation_totals.offers,
        conversation_totals.purchases,
        {{ sendwise.safe_divide('conversation_totals.purchases', 'conversation_totals.offers') }} as purchase_rate,
        conversation_totals.ppv_revenue,
        conversation_totals.tips_revenue,
        conversation_totals.revenue,
        (
            {{ sendwise.epoch_seconds('conversation_totals.ended_at') }}
            - {{ sendwise.epoch_seconds('conversation_totals.started_at') }}
        ) / 3600.0 as duration_hours,
        first_purchases.first_purchase_row_number - 1 as messages_before_first_purchase,
        (
            {{ sendwise.epoch_seconds('first_purchases.first_purchase_at') }}
            - {{ sendwise.epoch_seconds('conversation_totals.started_at') }}
        ) / 3600.0 as hours_to_first_purchase,
        (
            {{ sendwise.epoch_seconds('first_purchases.last_purchase_at') }}
            - {{ sendwise.epoch_seconds('first_purchases.first_purchase_at') }}
        ) / 86400.0 as days_between_first_and_last_purchase,
        {{ sendwise.age_days('conversation_totals.ended_at') }} as days_since_conversation_end,
        {{ sendwise.age_days('pair_last_messages.pair_last_message_at') }} as days_since_last_message,
        {{ sendwise.age_days('pair_last_messages.pair_last_message_at') }}
        <= {{ sendwise.setting('fan_active_days') }} as is_active
    from conversation_totals
    inner join first_purchases on conversation_totals.conversation_id = first_purchases.conversation_id
    inner join pair_last_messages on conversation_totals.fan_model_key = pair_last_messages.fan_model_key
)

select
    final.*,
    -- the build's as_of and start time: a mart not rebuilt by a failed build shows its old stamp
    {{ sendwise.build_stamp() }}
from final
