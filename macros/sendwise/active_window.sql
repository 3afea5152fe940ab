{#- A page's active window runs from active_from_hour to active_to_hour, both inclusive, in the page's
    local time; a window with from > to runs past midnight (22 to 6 = 22, 23, 0, ..., 6: 9 hours).
    One definition for every model that asks "how long is the window" or "is this hour in it"
    (staging quarantines from = to, which could mean one hour or the whole day). -#}

{%- macro active_window_hours(from_hour, to_hour) -%}
    (mod({{ to_hour }} - {{ from_hour }} + 24, 24) + 1)
{%- endmacro -%}

{%- macro active_window_position(local_hour, from_hour) -%}
    mod({{ local_hour }} - {{ from_hour }} + 24, 24)
{%- endmacro -%}

{%- macro is_in_active_window(local_hour, from_hour, to_hour) -%}
    ({{ sendwise.active_window_position(local_hour, from_hour) }} < {{ sendwise.active_window_hours(from_hour, to_hour) }})
{%- endmacro -%}
