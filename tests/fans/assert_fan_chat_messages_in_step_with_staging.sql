-- After a build, int_fan_chat_messages (built by fan: macros/sendwise/fact_days.sql,
-- history_keys_delete) is in step with the chat staging: no fan has a row on a day whose batch or row
-- count differs between the two (rows up to as_of), none was read in a zone that is no longer its
-- page's, and every row was written under the current code and conversation_gap_hours. A row here is
-- a fan a daily build left out of step (a missed late row, a lost delete, a stale time zone). It is
-- also what puts the pre_hook's query through Google's analyzer in bq-check. A build that selects
-- the staging without this model leaves them out of step until the model runs (select
-- `stg_chat__chat_logs+`, or --indirect-selection cautious).
{%- set code = graph.nodes['model.sendwise.int_fan_chat_messages'].raw_code if execute else '' %}

with fans_out_of_step as (
    {{ sendwise.history_keys_changed(
        ref('stg_chat__chat_logs'), 'fan_id', 'message_at', sendwise.page_time_zones(),
        relation=ref('int_fan_chat_messages')
    ) }}
),

fans_under_other_rules as (
    select fan_id
    from {{ ref('int_fan_chat_messages') }}
    where rules_key <> {{ sendwise.fact_rules_key(['conversation_gap_hours'], code) }}
)

select distinct
    'out_of_step' as problem,
    fan_id
from fans_out_of_step
union all
select distinct
    'other_rules' as problem,
    fan_id
from fans_under_other_rules
