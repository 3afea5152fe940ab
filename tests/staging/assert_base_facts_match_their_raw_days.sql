-- After a build, every day of a base fact built by day (base_agency__mass_messages,
-- base_chat__chat_logs; macros/sendwise/fact_days.sql) older than the lookback matches its raw day
-- and was judged under the current code and settings: the days a next build at this as_of would
-- rebuild (fact_days_to_rebuild, the copy closure left out) lie within the lookback. A row here is a
-- day the build left out of step with the raw table (a missed late row, a lost delete).
{%- set sends = sendwise.fact_spec('mass_messages') %}
{%- do sends.update({'key': none, 'source_key': none}) %}
{%- set chats = sendwise.fact_spec('chat_logs') %}
{%- set nodes = graph.nodes if execute else {} %}
{%- set sends_code = nodes['model.sendwise.base_agency__mass_messages'].raw_code if execute else '' %}
{%- set chats_code = nodes['model.sendwise.base_chat__chat_logs'].raw_code if execute else '' %}
{%- set lookback_start = sendwise.timestamp_minus_days(sendwise.as_of(), sendwise.setting('fact_lookback_days')) %}

with sends_days as (
    {{ sendwise.fact_days_to_rebuild(ref('base_agency__mass_messages'), sends_code, **sends) }}
),

chats_days as (
    {{ sendwise.fact_days_to_rebuild(ref('base_chat__chat_logs'), chats_code, **chats) }}
),

out_of_step as (
    select
        'base_agency__mass_messages' as model_name,
        fact_day
    from sends_days
    union all
    select
        'base_chat__chat_logs' as model_name,
        fact_day
    from chats_days
)

select
    model_name,
    fact_day
from out_of_step
where fact_day < cast({{ lookback_start }} as date)
