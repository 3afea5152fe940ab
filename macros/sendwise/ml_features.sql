{#- The page-momentum feature columns of the revenue model (int_page_momentum_daily), selected from
    `alias`: one list for the training features and both kinds of scoring candidates, so they
    cannot drift apart. -#}
{% macro momentum_features(alias) -%}
    {%- set columns = [
        'knowledge_date', 'revenue_7d', 'revenue_prev_7d', 'revenue_momentum_7d', 'ppv_sends_7d',
        'audience_7d', 'ppv_revenue_per_send_28d', 'sends_per_day_28d'
    ] -%}
    {%- for column in columns %}
        {{ alias }}.{{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- The caption-style feature columns of the revenue model (int_caption_style_features), selected
    from `alias` (none: unqualified): one list for the training features and both kinds of scoring
    candidates, so they cannot drift apart. -#}
{% macro caption_style_features(alias=none) -%}
    {%- set columns = ['length_bin', 'emoji_bin', 'has_cta', 'has_urgency', 'ends_with_question'] -%}
    {%- for column in columns %}
        {{ alias ~ '.' if alias }}{{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- The key of a page-hour track record (int_revenue_track_records): '<page_key>|<local hour>'. -#}
{% macro page_hour_key(page_key, local_hour) -%}
    {{ dbt.concat([page_key, "'|'", 'cast(' ~ local_hour ~ ' as ' ~ dbt.type_string() ~ ')']) }}
{%- endmacro %}

{#- The track records of kind `record_kind` ('caption' or 'page_hour') strictly before the UTC day
    `day_number` (an expression: the same for every row), one row per record_key, from
    int_revenue_track_records: the sums of every day of the record before that day (the last such
    day's sums before it plus its own). -#}
{% macro track_record_before(record_kind, day_number) -%}
    select
        record_key,
        sends_before + sends as prior_sends,
        earnings_before + earnings as prior_earnings,
        level_earnings_before + level_earnings as prior_level_earnings
    from {{ ref('int_revenue_track_records') }}
    where
        record_kind = '{{ record_kind }}'
        and day_number < {{ day_number }}
    qualify row_number() over (partition by record_key order by day_number desc) = 1
{%- endmacro %}

{#- A revenue-model feature from a track record: what the key's earlier sends earned against their
    pages' usual level (earnings / level earnings), shrunk toward 1 by `prior_setting` pseudo-sends
    (a setting's name): (n x ratio + k) / (n + k). 1 for a key without a record (n = 0). -#}
{% macro revenue_index(sends, earnings, level_earnings, prior_setting) -%}
    (
        (
            coalesce({{ sendwise.safe_divide(earnings, level_earnings) }} * {{ sends }}, 0)
            + {{ sendwise.setting(prior_setting) }}
        )
        / (coalesce({{ sends }}, 0) + {{ sendwise.setting(prior_setting) }})
    )
{%- endmacro %}

{#- The revenue model's fatigue feature, as a query: for each row of the relation `later` (columns
    page_key, caption_hash and the timestamp column `at`), the decayed count of the caption's sends
    (any type, int_mass_messages_enriched) on the same page before `at`: sum of
    0.5 ^ (days between / gbm_caption_use_half_life_days). One row per (page_key, caption_hash, at)
    that has an earlier send; the caller reads 0 where it finds none. -#}
{% macro caption_page_uses(later, at) -%}
    select
        {{ later }}.page_key,
        {{ later }}.caption_hash,
        {{ later }}.{{ at }},
        sum({{ sendwise.decay_weight(
            '(' ~ sendwise.epoch_seconds(later ~ '.' ~ at) ~ ' - ' ~ sendwise.epoch_seconds('earlier.sent_at') ~ ') / 86400.0',
            sendwise.setting('gbm_caption_use_half_life_days')
        ) }}) as caption_page_uses
    from (select distinct page_key, caption_hash, {{ at }} from {{ later }}) as {{ later }}
    inner join {{ ref('int_mass_messages_enriched') }} as earlier
        on
            {{ later }}.page_key = earlier.page_key
            and {{ later }}.caption_hash = earlier.caption_hash
            and earlier.sent_at < {{ later }}.{{ at }}
    where earlier.is_page_known
    group by 1, 2, 3
{%- endmacro %}
