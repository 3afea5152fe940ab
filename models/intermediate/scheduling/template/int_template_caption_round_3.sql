{{ config(materialized='table') }}
-- Cross-page conflict round 3 of the caption assignment: the slots left open after round 2 refilled,
-- then the round's conflicts resolved (macro template_caption_round, macros/sendwise/template_captions.sql;
-- docs/template.md).
{{ sendwise.template_caption_round(3, previous=ref('int_template_caption_round_2')) }}
