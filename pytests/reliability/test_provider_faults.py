"""Provider faults from a local fault server (fault_server.py): real sockets, real clients.

Every transport and body error (408, 429, 5xx, a 200 that is not JSON, a body cut short, a reset
connection, usage null) is transient: retried with backoff, never cached as a success; paid
embedding batches are kept when a later batch fails; an answer cut at max_tokens is re-sent once
with twice the max_tokens, never unchanged.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest
from fault_server import FaultServer
from reliability_models import embeddings as emb
from reliability_models import profile_ledger as pl
from reliability_models import report_ledger as rl

TRANSIENT_FAULTS = [408, 429, 500, 503, "non_json", "truncated", "reset", "usage_null"]


@pytest.fixture(scope="module")
def server():
    with FaultServer() as fake:
        yield fake


@pytest.fixture
def fresh(server):
    server.faults.clear()
    server.requests.clear()
    return server


def pending_pairs(n: int) -> pd.DataFrame:
    keys = [f"fan_{i:03d}|p" for i in range(n)]
    hashes = [f"h{i:03d}" for i in range(n)]
    return pd.DataFrame(
        {
            "fan_model_key": keys,
            "profile_text": ["I'm 30 | hello"] * n,
            "text_hash": hashes,
            "cache_key": [pl.cache_key(pl.PROMPT_VERSION, "m", h) for h in hashes],
        }
    )


def run_profiles(server, pending, sleeps):
    return pl.run_profiles(
        pending,
        pl.make_client("anthropic", "m", "sk-test", base_url=server.url),
        llm_vendor="anthropic",
        llm_model="m",
        batch_size=2,
        max_attempts=3,
        backoff_seconds=1.0,
        max_chars=6000,
        usd_per_mtok_in=1.0,
        usd_per_mtok_out=5.0,
        run_number=1,
        as_of="2026-11-15 00:00:00",
        sleep=sleeps.append,
    )


@pytest.mark.parametrize("module", [pl, rl], ids=["profile_client", "report_client"])
@pytest.mark.parametrize("fault", TRANSIENT_FAULTS)
def test_llm_client_classifies_every_transport_and_body_error_as_transient(fresh, module, fault):
    fresh.faults = [fault]
    client = module.make_client("anthropic", "m", "sk-test", base_url=fresh.url)
    with pytest.raises(module.TransientLLMError):
        client("system", "<fan_data>\n[]\n</fan_data>")


@pytest.mark.parametrize("fault", TRANSIENT_FAULTS)
def test_profile_fault_is_retried_with_backoff_and_never_cached(fresh, fault):
    fresh.faults = [fault]
    sleeps: list[float] = []
    ledger = run_profiles(fresh, pending_pairs(2), sleeps)
    calls = ledger[ledger["entry_type"] == "call"]
    assert list(calls["status"]) == ["transient_error", "ok"]
    assert sleeps == [1.0]  # one backoff before the second attempt
    profiles = ledger[ledger["entry_type"] == "profile"]
    assert list(profiles["status"]) == ["ok", "ok"]  # from the good answer only
    assert calls["input_tokens"].isna().iloc[0]  # the failed attempt records no tokens


def test_paid_profiles_are_kept_when_a_later_batch_fails_for_good(fresh):
    fresh.faults = [None, 500, 500, 500]  # batch 1 answers, batch 2 fails three times
    ledger = run_profiles(fresh, pending_pairs(4), [])
    profiles = ledger[ledger["entry_type"] == "profile"].set_index("fan_model_key")["status"]
    assert profiles.to_dict() == {
        "fan_000|p": "ok",
        "fan_001|p": "ok",
        "fan_002|p": "failed",
        "fan_003|p": "failed",
    }


def test_answer_cut_at_max_tokens_is_resent_once_with_more_room(fresh):
    fresh.faults = ["max_tokens"]
    ledger = run_profiles(fresh, pending_pairs(1), [])
    sent = [r["body"]["max_tokens"] for r in fresh.requests]
    assert sent == [pl.MAX_ANSWER_TOKENS, 2 * pl.MAX_ANSWER_TOKENS]
    assert ledger[ledger["entry_type"] == "profile"]["status"].tolist() == ["ok"]


def test_answer_cut_twice_is_recorded_truncated_not_resent_unchanged(fresh):
    fresh.faults = ["max_tokens", "max_tokens"]
    ledger = run_profiles(fresh, pending_pairs(1), [])
    assert [r["body"]["max_tokens"] for r in fresh.requests] == [
        pl.MAX_ANSWER_TOKENS,
        2 * pl.MAX_ANSWER_TOKENS,
    ]
    profile = ledger[ledger["entry_type"] == "profile"].iloc[0]
    assert profile["status"] == "failed" and "truncated" in profile["error"]


def test_report_malformed_answer_is_retried_up_to_max_attempts(fresh):
    facts = pd.DataFrame({"page_key": ["p"], "tier": ["MID"]})
    pending = rl.pending_pages(facts, set(), "m")
    ledger = rl.run_reports(
        pending,
        rl.make_client("anthropic", "m", "sk-test", base_url=fresh.url),
        llm_vendor="anthropic",
        llm_model="m",
        max_attempts=3,
        backoff_seconds=0.0,
        usd_per_mtok_in=1.0,
        usd_per_mtok_out=5.0,
        run_number=1,
        as_of="2026-11-15 00:00:00",
        sleep=lambda _: None,
    )
    assert len(fresh.requests) == 3  # the fake's answer "a report" is not the JSON object: 3 attempts
    assert ledger[ledger["entry_type"] == "report"]["status"].tolist() == ["failed"]


def test_report_truncation_raises_max_tokens_once(fresh):
    fresh.faults = ["max_tokens", "max_tokens"]
    facts = pd.DataFrame({"page_key": ["p"], "tier": ["MID"]})
    ledger = rl.run_reports(
        rl.pending_pages(facts, set(), "m"),
        rl.make_client("anthropic", "m", "sk-test", base_url=fresh.url),
        llm_vendor="anthropic",
        llm_model="m",
        max_attempts=3,
        backoff_seconds=0.0,
        usd_per_mtok_in=1.0,
        usd_per_mtok_out=5.0,
        run_number=1,
        as_of="2026-11-15 00:00:00",
        sleep=lambda _: None,
    )
    assert [r["body"]["max_tokens"] for r in fresh.requests] == [
        rl.MAX_ANSWER_TOKENS,
        2 * rl.MAX_ANSWER_TOKENS,
    ]
    report = ledger[ledger["entry_type"] == "report"].iloc[0]
    assert report["status"] == "failed" and "truncated" in report["error"]


def voyage_client(server):
    import voyageai

    return voyageai.Client(api_key="k", max_retries=0, base_url=f"{server.url}/v1", timeout=10)


@pytest.mark.parametrize("fault", [408, 429, 500, 503, "non_json", "reset", "truncated"])
def test_embedding_fault_is_retried(fresh, fault):
    fresh.faults = [fault]
    sleeps: list[float] = []
    vectors, tokens = emb.voyage_embed(
        ["a", "b"], voyage_client(fresh), "m", 10, 1000, 3, 0.5, sleep=sleeps.append
    )
    assert vectors.shape == (2, 3) and tokens.sum() == 6
    assert sleeps == [0.5] and len(fresh.requests) == 2


def test_paid_embedding_batches_are_kept_when_a_later_batch_fails(fresh):
    fresh.faults = [None, 401]  # batch 1 paid for, batch 2 refused for good
    texts = pd.DataFrame({"text_id": list("abcd"), "text_kind": ["caption"] * 4,
                          "text_hash": ["h1", "h2", "h3", "h4"], "text": ["t1", "t2", "t3", "t4"]})  # fmt: skip
    cached = pd.DataFrame({"provider": [], "model_name": [], "text_hash": []})
    client = voyage_client(fresh)

    def embed(batch):
        return emb.voyage_embed(batch, client, "m", 2, 1000, 3, 0.0, sleep=lambda _: None)

    rows = emb.embed_new_texts(texts, cached, "voyage", "m", embed, datetime(2026, 11, 15))
    assert rows["text_hash"].tolist() == ["h1", "h2"]  # the paid batch is cached, h3/h4 left missing


def test_embedding_failure_before_any_payment_still_fails(fresh):
    fresh.faults = [401]
    with pytest.raises(emb.EmbeddingError):
        emb.voyage_embed(["a"], voyage_client(fresh), "m", 10, 1000, 3, 0.0, sleep=lambda _: None)
