-- One row per LLM call attempt of the fan-profile extractor (provider llm): tokens, cost and
-- outcome. Empty when profile_provider is rules. Read from the append-only ledger.
with ledger as (
    select * from {{ ref('fan_profile_llm_ledger') }}
),

final as (
    select
        ledger_id as llm_call_attempt_id,
        run_number,
        call_id,
        attempt,
        status,
        error,
        prompt_version,
        llm_vendor,
        llm_model,
        pairs_in_call,
        coalesce(valid_profiles, 0) as valid_profiles,
        coalesce(input_tokens, 0) as input_tokens,
        coalesce(output_tokens, 0) as output_tokens,
        coalesce(cost_usd, 0) as cost_usd,
        recorded_as_of
    from ledger
    where entry_type = 'call'
)

select * from final
