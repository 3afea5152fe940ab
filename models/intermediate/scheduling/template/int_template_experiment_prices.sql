-- Price experiment with logged propensities (docs/operations.md): every send slot of the week with the
-- price it is planned at and the probability with which that price was chosen.
-- * Hold-out (macro experiment_hold_kind, shared with the caption experiment, so a slot is held out for at
--   most one experiment): a slot is held out when portable_uniform('experiment_hold|<key>') <
--   experiment_slot_share (key = page|plan_date|slot_number|as_of), and it goes to the price experiment
--   when portable_uniform('experiment_split|<key>') >= experiment_caption_share (else to the caption
--   experiment, int_template_experiment_captions, where it keeps the ladder price). Price-held slots draw
--   an arm uniformly from control / price_down / price_up with portable_uniform('experiment_arm|<key>'):
--   arm index = floor(u x 3). PPV slots only (a free slot is never held out).
-- * Arm price: the slot's ladder price in whole dollars d (the price + 0.01 on .99 pages) times
--   (1 - experiment_price_step) or (1 + experiment_price_step), rounded to whole dollars and moved at
--   least one price_collision_step away from d in the arm's direction, within
--   [ceil(price_min + offset), floor(price_max + offset)].
-- * Distinct prices within the page-day: the day's PPV dollar amounts sorted ascending (ties: the ladder
--   slot first, then slot_number) are pushed up by the ladder's anti-collision (running maximum of
--   d_k - k x step, + k x step) and down from the top bound (dollars_max - (n - k) x step), exactly as
--   int_page_price_ladder_daily separates its rungs; the .99 ending is restored by subtracting the offset.
-- * Propensity (the logging policy's probability of the price taken), with the price share
--   s = experiment_slot_share x (1 - experiment_caption_share): the ladder price is taken with
--   probability (1 - s) + s / 3 (not price-held, or held in the control arm), each price step with s / 3
--   (rounded to 6 decimals). experiment_id/experiment_arm are set on price-held slots only.
with slots as (
    select
        page_key,
        plan_date,
        slot_number,
        price
    from {{ ref('int_template_send_slots') }}
),

endings as (
    select
        page_key,
        max(case when price_ending = '.99' then 0.01 else 0.0 end) as ending_offset
    from {{ ref('int_page_price_ladder') }}
    group by 1
),

parameters as (
    select
        {{ sendwise.setting('experiment_slot_share') }}
        * (1 - {{ sendwise.setting('experiment_caption_share') }}) as price_share,
        {{ sendwise.setting('experiment_price_step') }} as price_step,
        {{ sendwise.setting('price_collision_step') }} as collision_step,
        {{ sendwise.setting('price_min') }} as price_min,
        {{ sendwise.setting('price_max') }} as price_max,
        {{ sendwise.setting_text('experiment_price_id') }} as experiment_id
),

keyed as (
    select
        slots.page_key,
        slots.plan_date,
        slots.slot_number,
        slots.price as ladder_price,
        coalesce(endings.ending_offset, 0.0) as ending_offset,
        coalesce(slots.price, 0) > 0 as is_ppv,
        {{ sendwise.experiment_draw_key('slots.page_key', 'slots.plan_date', 'slots.slot_number') }} as draw_key
    from slots
    left join endings on slots.page_key = endings.page_key
),

drawn as (
    select
        keyed.*,
        parameters.price_share,
        parameters.price_step,
        parameters.collision_step,
        parameters.experiment_id,
        ceil(parameters.price_min + keyed.ending_offset) as dollars_min,
        floor(parameters.price_max + keyed.ending_offset) as dollars_max,
        round(keyed.ladder_price + keyed.ending_offset) as ladder_dollars,
        keyed.is_ppv and coalesce({{ sendwise.experiment_hold_kind('keyed.draw_key') }} = 'price', false)
            as is_held_out,
        cast(
            floor({{ sendwise.portable_uniform("concat('experiment_arm|', keyed.draw_key)") }} * 3)
            as {{ dbt.type_bigint() }}
        ) as arm_index
    from keyed
    cross join parameters
),

armed as (
    select
        *,
        case
            when not is_held_out then null
            when arm_index = 0 then 'control'
            when arm_index = 1 then 'price_down'
            else 'price_up'
        end as experiment_arm,
        case
            when is_held_out and arm_index = 1
                then least(round(ladder_dollars * (1 - price_step)), ladder_dollars - collision_step)
            when is_held_out and arm_index = 2
                then greatest(round(ladder_dollars * (1 + price_step)), ladder_dollars + collision_step)
            else ladder_dollars
        end as stepped_dollars
    from drawn
),

bounded as (
    select
        *,
        case
            when stepped_dollars < dollars_min then dollars_min
            when stepped_dollars > dollars_max then dollars_max
            else stepped_dollars
        end as arm_dollars
    from armed
),

ranked as (
    select
        *,
        count(*) over (partition by page_key, plan_date, is_ppv) as slots_in_day,
        row_number() over (
            partition by page_key, plan_date, is_ppv
            order by arm_dollars, case when experiment_arm in ('price_down', 'price_up') then 1 else 0 end, slot_number
        ) as dollar_rank
    from bounded
),

pushed_up as (
    select
        *,
        dollar_rank * collision_step + max(arm_dollars - dollar_rank * collision_step) over (
            partition by page_key, plan_date, is_ppv
            order by dollar_rank rows between unbounded preceding and current row
        ) as pushed_up_dollars
    from ranked
),

final as (
    select
        page_key,
        plan_date,
        cast(slot_number as {{ dbt.type_bigint() }}) as slot_number,
        cast(ladder_price as {{ dbt.type_float() }}) as ladder_price,
        cast(
            case
                when not is_ppv then ladder_price
                when pushed_up_dollars > dollars_max - (slots_in_day - dollar_rank) * collision_step
                    then {{ sendwise.round_float(
                        'dollars_max - (slots_in_day - dollar_rank) * collision_step - ending_offset', 2
                    ) }}
                else {{ sendwise.round_float('pushed_up_dollars - ending_offset', 2) }}
            end as {{ dbt.type_float() }}
        ) as price,
        is_held_out,
        cast(case when is_held_out then experiment_id end as {{ dbt.type_string() }}) as experiment_id,
        cast(experiment_arm as {{ dbt.type_string() }}) as experiment_arm,
        cast(
            {{ sendwise.round_float(
                "case
                    when not is_ppv then 1.0
                    when experiment_arm in ('price_down', 'price_up') then price_share / 3
                    else 1 - price_share + price_share / 3
                end", 6
            ) }} as {{ dbt.type_float() }}
        ) as propensity
    from pushed_up
)

select * from final
