-- Portability check of round_float (macros/cross_db/round_float.sql), run by
-- pytests/foundation/test_round_float_portability.py: compiled for DuckDB and for BigQuery, run on
-- DuckDB and on BigQuery's own evaluator (ZetaSQL), round_float must give the same value on both,
-- where a plain round(x, d) does not for floats printed as a decimal tie whose binary value lies just
-- below it (2.675 is 2.67499999999999982...). No refs: the cases are literal. Case 11 gives its
-- decimals as a SQL integer expression (the macro's pow(10, d) form, as page_personalization_weights
-- rounds to its setting weight_round_decimals).
-- bq-gate: plain round(x, d) on purpose (the column plain_round shows what round_float avoids)
{%- set cases = [
    (1, 2.675, 2), (2, -2.675, 2), (3, 10.98875, 4), (4, 1.005, 2), (5, 0.125, 2),
    (6, 1234.56785, 4), (7, 8.34565, 4), (8, 0.285, 2), (9, 2.5, 0), (10, 46.985, 2),
    (11, 2.675, 'cast(2 as ' ~ dbt.type_int() ~ ')'),
] %}

with cases as (
    {%- for case_id, value, decimals in cases %}
        select
            {{ case_id }} as case_id,
            cast({{ value }} as {{ dbt.type_float() }}) as input_value,
            {{ decimals }} as decimals,
            round(cast({{ value }} as {{ dbt.type_float() }}), {{ decimals }}) as plain_round,
            {{ sendwise.round_float('cast(' ~ value ~ ' as ' ~ dbt.type_float() ~ ')', decimals) }} as portable_round
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select * from cases
order by 1
