-- Recommended hour window (page-local) to message each fan-model pair, fitted on its whole
-- history up to as_of with Empirical-Bayes shrinkage to its segment and then its creator (macro
-- fan_message_windows). window_end_hour = the last hour inside the window (wraps midnight).
with windows as (
    {{ sendwise.fan_message_windows(sendwise.as_of()) }}
)

select
    fan_model_key,
    page_key,
    segment,
    fit_messages,
    window_start_hour,
    mod(
        window_start_hour + cast({{ sendwise.setting('fan_timing_window_hours') }} as {{ dbt.type_bigint() }}) - 1, 24
    ) as window_end_hour,
    window_rate,
    creator_window_start_hour,
    creator_window_rate,
    {{ sendwise.build_stamp() }}
from windows
