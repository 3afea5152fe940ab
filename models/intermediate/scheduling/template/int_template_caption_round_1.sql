{{ config(materialized='table') }}
-- Cross-page conflict round 1 of the caption assignment: the first pairing's conflicts resolved
-- (macro template_caption_round, macros/sendwise/template_captions.sql; docs/template.md).
{{ sendwise.template_caption_round(1, pairing=ref('int_template_caption_pairing')) }}
