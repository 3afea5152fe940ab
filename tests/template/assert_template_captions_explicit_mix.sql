{{ config(severity='warn') }}
-- Soft rule (tier 2 warning): each page's explicit share of planned sends is within
-- content_mix_tolerance of target_explicit_share, for pages whose caption list holds both kinds.
-- Returns the pages off target.
with template as (
    select
        page_key,
        content_kind
    from {{ ref('weekly_template_7d') }}
),

page_kinds as (
    select page_key
    from {{ ref('int_template_caption_candidates') }}
    group by 1
    having count(distinct content_kind) = 2
),

shares as (
    select
        template.page_key,
        avg(case when template.content_kind = 'explicit' then 1.0 else 0.0 end) as explicit_share
    from template
    inner join page_kinds on template.page_key = page_kinds.page_key
    group by 1
)

select *
from shares
where
    abs(explicit_share - {{ sendwise.setting('target_explicit_share') }})
    > {{ sendwise.setting('content_mix_tolerance') }}
