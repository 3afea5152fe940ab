{{ config(materialized='view') }}
-- The three best captions of every slot of caption_rankings_next24 (what an operator looks at).
{#- The view's definition (and name): the first three ranks. -#}
{%- set top_k = 3 %}

select * from {{ ref('caption_rankings_next24') }}
where rn <= {{ top_k }}
