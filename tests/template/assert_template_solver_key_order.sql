-- solver_key (the spacing solver's state key, macros/sendwise/template_solver.sql): its order is the
-- solver's preference whatever the size of each field: one more pool hour beats any value, more value
-- beats any mask, and a smaller mask (earlier hours) wins a tie; extending a key by one send gives the
-- key of the summed fields; solver_key_mask reads the mask back at both ends of its range. Returns a
-- row per broken expectation.
with orders as (
    select
        'pool hours before value' as expectation,
        {{ sendwise.solver_key('2', '0', '16777215') }} as better,
        {{ sendwise.solver_key('1', '999999999999999999', '0') }} as worse
    union all
    select
        'value before mask' as expectation,
        {{ sendwise.solver_key('1', '6', '16777215') }} as better,
        {{ sendwise.solver_key('1', '5', '0') }} as worse
    union all
    select
        'smaller mask wins a tie' as expectation,
        {{ sendwise.solver_key('1', '5', '1') }} as better,
        {{ sendwise.solver_key('1', '5', '2') }} as worse
),

keys as (
    select
        {{ sendwise.solver_key_extend(sendwise.solver_key('3', '1000', '5'), '1', '250', '8') }} as extended_key,
        {{ sendwise.solver_key('4', '1250', '13') }} as expected_key,
        {{ sendwise.solver_key_mask(sendwise.solver_key('24', '999999999999999999', '16777215')) }} as mask_full,
        {{ sendwise.solver_key_mask(sendwise.solver_key('24', '999999999999999999', '0')) }} as mask_zero
)

select expectation
from orders
where not better > worse
union all
select 'extend adds the fields' as expectation
from keys
where extended_key != expected_key
union all
select 'mask read back' as expectation
from keys
where mask_full != 16777215 or mask_zero != 0
