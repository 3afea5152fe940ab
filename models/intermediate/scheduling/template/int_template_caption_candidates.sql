{{ config(materialized='table') }}
-- The caption list of every templated page for its week (docs/template.md), built so that the assignment
-- (int_template_caption_assignment) cannot break the per-page rules:
--   1. candidates = the ranking's page shortlist (int_ranking_caption_scores: eligible captions
--      only, so vault compliance and cooldown come from int_ranking_caption_eligibility), scored
--      per dollar of price by the ranking's own policy bound (score_bound_per_dollar); the EB/UCB
--      maths is not repeated here
--   2. one caption per near-duplicate group (ml_caption_clusters.near_duplicate_group_id) and per
--      caption text (caption_hash), the best-ranked one kept: a list without repeats
--   3. explicit/teasing mix: each kind ranked separately (kind_rank), merged by
--      kind_rank / kind_share (explicit share = target_explicit_share, teasing = 1 - it), so any
--      prefix of the list is as close to the target mix as the shortlist allows
--   4. drafted to days: the page's week slots are ordered by slot_value (seat 1 = best slot of the
--      week) and list position p goes to the day of seat mod(p - 1, K) + 1 (K = the page's slots);
--      days are disjoint, so no caption can be used on two days, and each day receives about
--      N / K times its slot count (N = shortlist after dedup)
--   5. per page-day caps, applied in list order: the first max_category_per_day captions of each
--      content category survive, then of those the first family_cap_per_day of each caption family
--      (ml_caption_clusters.cluster_id; no family = no cap); day_rank numbers the survivors
with shortlist as (
    select
        page_key,
        caption_id,
        caption_hash,
        content_category,
        p_buy_eb,
        p_buy_se,
        eb_n,
        score_bound_per_dollar,
        shortlist_rank
    from {{ ref('int_ranking_caption_scores') }}
),

slots as (
    select
        page_key,
        plan_date,
        slot_number,
        slot_value
    from {{ ref('int_template_send_slots') }}
),

captions as (
    select
        caption_id,
        caption_text
    from {{ ref('stg_agency__caption_bank') }}
),

clusters as (
    select
        caption_id,
        cluster_id,
        near_duplicate_group_id
    from {{ ref('ml_caption_clusters') }}
),

categories as (
    select
        content_category,
        content_class,
        default_energy
    from {{ ref('content_categories') }}
),

templated_pages as (
    select distinct page_key
    from slots
),

described as (
    select
        shortlist.page_key,
        shortlist.caption_id,
        shortlist.caption_hash,
        captions.caption_text,
        shortlist.content_category,
        coalesce(categories.content_class, 'teasing') as content_kind,
        coalesce(categories.default_energy, 'afternoon') as caption_energy,
        clusters.cluster_id as caption_family,
        coalesce(clusters.near_duplicate_group_id, shortlist.caption_id) as dedup_key,
        shortlist.p_buy_eb,
        shortlist.p_buy_se,
        shortlist.eb_n,
        shortlist.score_bound_per_dollar as score_per_dollar,
        shortlist.shortlist_rank
    from shortlist
    inner join templated_pages on shortlist.page_key = templated_pages.page_key
    left join captions on shortlist.caption_id = captions.caption_id
    left join clusters on shortlist.caption_id = clusters.caption_id
    left join categories on shortlist.content_category = categories.content_category
),

dedup_group as (
    select *
    from described
    qualify row_number() over (partition by page_key, dedup_key order by shortlist_rank) = 1
),

dedup_text as (
    select *
    from dedup_group
    qualify row_number() over (partition by page_key, caption_hash order by shortlist_rank) = 1
),

kind_ranked as (
    select
        *,
        row_number() over (partition by page_key, content_kind order by shortlist_rank) as kind_rank
    from dedup_text
),

mixed as (
    select
        *,
        {{ sendwise.safe_divide(
            'kind_rank',
            "case when content_kind = 'explicit' then " ~ sendwise.setting('target_explicit_share')
            ~ " else 1 - " ~ sendwise.setting('target_explicit_share') ~ " end"
        ) }} as mix_key
    from kind_ranked
),

listed as (
    select
        *,
        row_number() over (
            partition by page_key
            order by coalesce(mix_key, 1e9) asc, shortlist_rank asc
        ) as list_position
    from mixed
),

seats as (
    select
        page_key,
        plan_date,
        row_number() over (
            partition by page_key
            order by slot_value desc, plan_date asc, slot_number asc
        ) as seat,
        count(*) over (partition by page_key) as week_slots
    from slots
),

drafted as (
    select
        listed.*,
        seats.plan_date,
        seats.seat
    from listed
    inner join seats
        on
            listed.page_key = seats.page_key
            and mod(listed.list_position - 1, seats.week_slots) + 1 = seats.seat
),

category_ranked as (
    select
        *,
        row_number() over (
            partition by page_key, plan_date, content_category
            order by list_position
        ) as category_day_rank
    from drafted
),

family_ranked as (
    select
        *,
        case
            when caption_family is null then 1
            else row_number() over (
                    partition by
                        page_key,
                        plan_date,
                        caption_family,
                        category_day_rank <= {{ sendwise.setting('max_category_per_day') }}
                    order by list_position
                )
        end as family_day_rank
    from category_ranked
),

capped as (
    select
        *,
        category_day_rank <= {{ sendwise.setting('max_category_per_day') }}
        and family_day_rank <= {{ sendwise.setting('family_cap_per_day') }} as is_within_day_caps
    from family_ranked
),

final as (
    select
        page_key,
        plan_date,
        caption_id,
        caption_hash,
        caption_text,
        content_category,
        content_kind,
        caption_energy,
        cast(caption_family as {{ dbt.type_bigint() }}) as caption_family,
        dedup_key,
        p_buy_eb,
        p_buy_se,
        eb_n,
        score_per_dollar,
        cast(shortlist_rank as {{ dbt.type_bigint() }}) as shortlist_rank,
        cast(kind_rank as {{ dbt.type_bigint() }}) as kind_rank,
        cast(list_position as {{ dbt.type_bigint() }}) as list_position,
        cast(seat as {{ dbt.type_bigint() }}) as draft_seat,
        cast(category_day_rank as {{ dbt.type_bigint() }}) as category_day_rank,
        cast(family_day_rank as {{ dbt.type_bigint() }}) as family_day_rank,
        is_within_day_caps,
        cast(case when is_within_day_caps then row_number() over (
                    partition by page_key, plan_date, is_within_day_caps
                    order by list_position
                )
        end as {{ dbt.type_bigint() }}) as day_rank
    from capped
)

select * from final
