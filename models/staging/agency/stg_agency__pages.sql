-- Clean creator pages: one row per page_key. A missing local window defaults to 8-23 (flagged).
select
    page_key,
    page_name,
    page_name_raw,
    time_zone,
    page_type,
    is_active,
    is_active_missing,
    active_from_hour,
    active_to_hour,
    is_active_window_defaulted,
    onboarded_at
from {{ ref('base_agency__pages') }}
where rejection_reason is null
