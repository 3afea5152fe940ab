{{ config(materialized='table') }}
-- Cross-page conflict round 2 of the caption assignment: the slots left open after round 1 refilled,
-- then the round's conflicts resolved (macro template_caption_round, macros/sendwise/template_captions.sql;
-- docs/template.md).
{{ sendwise.template_caption_round(2, previous=ref('int_template_caption_round_1')) }}
