-- QC rule cross_page_caption (docs/template_qc.md): the same caption text (caption_hash) is sent by
-- another page less than cross_page_caption_hours earlier, in real elapsed time (UTC). The later send
-- is flagged (on a tie, the larger page_key); observed = hours since the nearest earlier use.
with sends as (
    select
        page_key,
        plan_date,
        slot_number,
        caption_id,
        caption_hash,
        send_epoch
    from {{ ref('int_template_qc_sends') }}
),

parameters as (
    select {{ sendwise.setting('cross_page_caption_hours') }} as cross_page_caption_hours
),

cross_page_matches as (
    select
        later.page_key,
        later.plan_date,
        later.slot_number,
        min(later.send_epoch - earlier.send_epoch) / 3600.0 as gap_hours,
        max(later.caption_id) as caption_id,
        min(earlier.page_key) as other_page_key
    from sends as later
    inner join sends as earlier
        on
            later.caption_hash = earlier.caption_hash
            and later.page_key <> earlier.page_key
            and (
                later.send_epoch > earlier.send_epoch
                or (later.send_epoch = earlier.send_epoch and later.page_key > earlier.page_key)
            )
    cross join parameters
    where later.send_epoch - earlier.send_epoch < parameters.cross_page_caption_hours * 3600.0
    group by 1, 2, 3
),

final as (
    select
        'cross_page_caption' as rule_id,
        cross_page_matches.page_key,
        cross_page_matches.plan_date,
        cross_page_matches.slot_number,
        cast(null as {{ dbt.type_string() }}) as discriminator,
        cross_page_matches.gap_hours as observed,
        parameters.cross_page_caption_hours as limit_value,
        {{ dbt.concat([
            "'caption text of '", 'cross_page_matches.caption_id', "' also sent by page '",
            'cross_page_matches.other_page_key', "' within the cross-page window (UTC)'"
        ]) }} as detail
    from cross_page_matches
    cross join parameters
)

select * from final
