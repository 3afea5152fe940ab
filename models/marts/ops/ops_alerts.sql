-- One row per alert open at this build (docs/operations.md): the alert conditions of
-- int_ops_alert_candidates with since = the first build of the alert's unbroken run of builds: the
-- earliest as_of at which the alert was open after the latest build (at or before as_of) at which it
-- was not. The builds are the as_of values of ops_source_health_history (one row per source per build);
-- the alert's open builds come from ops_alert_history. An alert first seen now has since = as_of.
with candidates as (
    select * from {{ ref('int_ops_alert_candidates') }}
),

alert_history as (
    select
        recorded_for_as_of,
        alert_key
    from {{ ref('ops_alert_history') }}
    where recorded_for_as_of <= {{ sendwise.as_of() }}
),

builds as (
    select distinct recorded_for_as_of
    from {{ ref('ops_source_health_history') }}
    where recorded_for_as_of <= {{ sendwise.as_of() }}
),

closed_builds as (
    -- builds at which the alert was not open
    select
        candidates.alert_key,
        max(builds.recorded_for_as_of) as last_closed_at
    from candidates
    cross join builds
    left join alert_history
        on
            candidates.alert_key = alert_history.alert_key
            and builds.recorded_for_as_of = alert_history.recorded_for_as_of
    where alert_history.alert_key is null
    group by 1
),

open_since as (
    select
        candidates.alert_key,
        min(alert_history.recorded_for_as_of) as open_since
    from candidates
    inner join alert_history on candidates.alert_key = alert_history.alert_key
    left join closed_builds on candidates.alert_key = closed_builds.alert_key
    where
        closed_builds.last_closed_at is null
        or alert_history.recorded_for_as_of > closed_builds.last_closed_at
    group by 1
),

final as (
    select
        candidates.alert_key as alert_id,
        candidates.severity,
        candidates.page_key,
        candidates.rule_id,
        candidates.subject,
        candidates.observed,
        candidates.threshold,
        cast(coalesce(open_since.open_since, {{ sendwise.as_of() }}) as {{ dbt.type_timestamp() }}) as open_since,
        candidates.detail,
        candidates.look_at,
        cast({{ sendwise.as_of() }} as {{ dbt.type_timestamp() }}) as computed_for_as_of
    from candidates
    left join open_since on candidates.alert_key = open_since.alert_key
)

select
    final.*,
    -- the build's as_of and start time: a mart not rebuilt by a failed build shows its old stamp
    {{ sendwise.build_stamp() }}
from final
