-- QC rule price_out_of_range (docs/template_qc.md): a PPV send with no price or a price outside
-- [price_min, price_max]; limit_value is the bound it crossed (price_min for a missing price).
with sends as (
    select
        page_key,
        plan_date,
        slot_number,
        message_type,
        price
    from {{ ref('int_template_qc_sends') }}
),

parameters as (
    select
        {{ sendwise.setting('price_min') }} as price_min,
        {{ sendwise.setting('price_max') }} as price_max
),

final as (
    select
        'price_out_of_range' as rule_id,
        sends.page_key,
        sends.plan_date,
        sends.slot_number,
        cast(null as {{ dbt.type_string() }}) as discriminator,
        sends.price as observed,
        case when sends.price > parameters.price_max then parameters.price_max else parameters.price_min end
            as limit_value,
        case
            when sends.price is null then 'PPV send without a price'
            else {{ dbt.concat([
                "'PPV price '", sendwise.format_number('sends.price', 2), "' outside ['",
                sendwise.format_number('parameters.price_min', 0), "', '",
                sendwise.format_number('parameters.price_max', 0), "']'"
            ]) }}
        end as detail
    from sends
    cross join parameters
    where
        sends.message_type = 'PPV'
        and (sends.price is null or sends.price < parameters.price_min or sends.price > parameters.price_max)
)

select * from final
