"""Pure functions of python_models/scheduling/ml_text_embeddings.py: cache keys, the stateless local
embedding, batching, retries with a fake client, token apportioning, validation."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pytest
from model_loader import load_python_model

emb = load_python_model("python_models/scheduling/ml_text_embeddings.py")
PARAMS = emb.LOCAL_MODELS["sendwise-hash-ngram-256-v1"]
NOW = datetime(2026, 11, 15, 0, 0, 0)


def texts_frame(pairs):
    return pd.DataFrame(
        {
            "text_id": [f"id{i}" for i in range(len(pairs))],
            "text_kind": "caption",
            "text_hash": [h for h, _ in pairs],
            "text": [t for _, t in pairs],
        }
    )


# ---- cache keys --------------------------------------------------------------------------------


def test_cache_key_depends_on_provider_model_and_hash():
    base = emb.cache_key("local", "m1", "h1")
    assert base == emb.cache_key("local", "m1", "h1")
    assert len({base, emb.cache_key("voyage", "m1", "h1"), emb.cache_key("local", "m2", "h1"),
                emb.cache_key("local", "m1", "h2")}) == 4  # fmt: skip
    # no ambiguity from concatenation
    assert emb.cache_key("ab", "c", "h") != emb.cache_key("a", "bc", "h")


def test_texts_needing_embedding_skips_cached_and_duplicates():
    texts = texts_frame([("h2", "two"), ("h1", "one"), ("h1", "one"), ("h3", "three")])
    cached = pd.DataFrame(
        {"provider": ["local", "voyage"], "model_name": ["m", "m"], "text_hash": ["h1", "h3"]}
    )
    need = emb.texts_needing_embedding(texts, cached, "local", "m")
    # h1 cached for (local, m); h3 cached only for voyage -> still needed; duplicates embedded once
    assert need["text_hash"].tolist() == ["h2", "h3"]
    assert need["text"].tolist() == ["two", "three"]
    # another model of the same provider shares nothing
    assert emb.texts_needing_embedding(texts, cached, "local", "m2")["text_hash"].tolist() == [
        "h1",
        "h2",
        "h3",
    ]


def test_second_run_embeds_nothing_and_changed_text_is_embedded():
    calls = []

    def embed(batch):
        calls.append(list(batch))
        return emb.local_embed(batch, PARAMS), emb.local_token_counts(batch)

    texts = texts_frame([("h1", "hello there"), ("h2", "unlock now")])
    first = emb.embed_new_texts(texts, pd.DataFrame(columns=["provider", "model_name", "text_hash"]),
                                "local", "m", embed, NOW)  # fmt: skip
    assert len(first) == 2 and calls == [["hello there", "unlock now"]]
    cached = first[["provider", "model_name", "text_hash"]].astype(str)
    second = emb.embed_new_texts(texts, cached, "local", "m", embed, NOW)
    assert len(second) == 0 and len(calls) == 1  # nothing new: the provider is not even called
    assert str(second["embedding"].dtype).startswith("list")  # the empty frame keeps its types
    changed = texts_frame([("h1", "hello there"), ("h9", "unlock now!!")])
    third = emb.embed_new_texts(changed, cached, "local", "m", embed, NOW)
    assert third["text_hash"].tolist() == ["h9"] and calls[-1] == ["unlock now!!"]


# ---- the local model ---------------------------------------------------------------------------


def test_local_embedding_is_stateless_deterministic_and_unit_length():
    texts = ["guess what, my newest solo video is here! unlock now 🔥", "hi cutie", "rate me?"]
    alone = emb.local_embed([texts[0]], PARAMS)
    batch = emb.local_embed(texts, PARAMS)
    other_batch = emb.local_embed(["something else entirely", texts[0]], PARAMS)
    assert batch.shape == (3, PARAMS.dims) and batch.dtype == np.float32
    np.testing.assert_array_equal(alone[0], batch[0])  # independent of the other texts
    np.testing.assert_array_equal(alone[0], other_batch[1])
    np.testing.assert_allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(emb.local_embed(texts, PARAMS), batch)  # deterministic


def test_local_embedding_ranks_a_reworded_variant_above_an_unrelated_caption():
    original = "hey handsome, my newest solo video is here in my new pink lace set! unlock now 🔥"
    variant = "hi handsome, my newest solo video is here in my new pink lace set!! unlock now 🔥"
    unrelated = "rainy day, so I recorded yoga in bed, 12 pics and 3 clips... are you ready?"
    e = emb.local_embed([original, variant, unrelated], PARAMS)
    assert e[0] @ e[1] > 0.86 > e[0] @ e[2]


def test_projection_entries_fixed_and_in_range():
    dims, signs = emb.projection_entries(np.array([0, 1, 2**21 - 1]), PARAMS)
    assert dims.shape == (3, PARAMS.nonzeros) and ((dims >= 0) & (dims < PARAMS.dims)).all()
    assert set(np.round(np.abs(signs.ravel()) * np.sqrt(PARAMS.nonzeros), 6)) == {1.0}
    again, _ = emb.projection_entries(np.array([0, 1, 2**21 - 1]), PARAMS)
    np.testing.assert_array_equal(dims, again)
    # splitmix64 reference value (SplitMix64 of 0 is a published constant)
    assert int(emb.splitmix64(np.array([0], dtype=np.uint64))[0]) == 0xE220A8397B1DCDAF


def test_l2_normalise_keeps_zero_rows():
    out = emb.l2_normalise(np.array([[3.0, 4.0], [0.0, 0.0]]))
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0]])


def test_local_token_counts():
    assert emb.local_token_counts(["unlock now!", "", "rate me?"]).tolist() == [3, 0, 3]


# ---- batching, retries, tokens -----------------------------------------------------------------


def test_estimate_tokens_and_make_batches():
    assert (
        emb.estimate_tokens("") == 1 and emb.estimate_tokens("abcd") == 2 and emb.estimate_tokens("🔥") == 2
    )
    texts = ["aaaa"] * 5  # 2 tokens each
    assert emb.make_batches(texts, max_texts=2, max_tokens=100) == [[0, 1], [2, 3], [4]]
    assert emb.make_batches(texts, max_texts=10, max_tokens=5) == [[0, 1], [2, 3], [4]]
    assert emb.make_batches(["a" * 40, "b"], max_texts=10, max_tokens=5) == [[0], [1]]  # oversize alone
    assert emb.make_batches([], 3, 3) == []
    with pytest.raises(ValueError):
        emb.make_batches(texts, 0, 10)


class RateLimitError(Exception):
    pass


class AuthenticationError(Exception):
    pass


class HttpError(Exception):
    def __init__(self, status):
        super().__init__(f"http {status}")
        self.http_status = status


def test_is_retryable_classifies_errors():
    assert emb.is_retryable(RateLimitError("slow down"))
    assert emb.is_retryable(HttpError(503)) and emb.is_retryable(HttpError(429))
    assert not emb.is_retryable(HttpError(400))
    assert not emb.is_retryable(AuthenticationError("bad key"))


def test_backoff_is_exponential():
    assert emb.backoff_delays(4, 2.0) == [2.0, 4.0, 8.0]
    assert emb.backoff_delays(1, 2.0) == []


def test_call_with_retry_succeeds_after_transient_failures():
    slept, attempts = [], []

    def flaky():
        attempts.append(1)
        if len(attempts) < 3:
            raise RateLimitError("429")
        return "ok"

    assert emb.call_with_retry(flaky, max_attempts=5, first_delay=1.0, sleep=slept.append) == "ok"
    assert len(attempts) == 3 and slept == [1.0, 2.0]


def test_call_with_retry_fails_fast_on_permanent_and_after_max_attempts():
    slept = []

    def denied():
        raise AuthenticationError("invalid api key")

    with pytest.raises(emb.EmbeddingError, match="permanent provider error: AuthenticationError"):
        emb.call_with_retry(denied, max_attempts=5, first_delay=1.0, sleep=slept.append)
    assert slept == []

    def down():
        raise HttpError(502)

    with pytest.raises(emb.EmbeddingError, match="after 3 attempts"):
        emb.call_with_retry(down, max_attempts=3, first_delay=0.5, sleep=slept.append)
    assert slept == [0.5, 1.0]


def test_apportion_tokens_sums_exactly():
    assert emb.apportion_tokens(10, [1, 1, 1]).tolist() == [4, 3, 3]
    assert emb.apportion_tokens(7, [2, 0, 5]).tolist() == [2, 0, 5]
    assert emb.apportion_tokens(5, [0, 0]).tolist() == [3, 2]
    assert emb.apportion_tokens(3, []).tolist() == []


class FakeResult:
    def __init__(self, embeddings, total_tokens):
        self.embeddings = embeddings
        self.total_tokens = total_tokens


class FakeVoyage:
    """Fails `failures` times with a rate limit, then embeds each text as [len, 1.0]."""

    def __init__(self, failures=0, broken=False):
        self.failures = failures
        self.broken = broken
        self.calls = []

    def embed(self, texts, model, input_type, truncation):
        self.calls.append((list(texts), model, input_type))
        if self.failures > 0:
            self.failures -= 1
            raise RateLimitError("rate limited")
        if self.broken:
            return FakeResult([[1.0, 2.0]] * (len(texts) - 1), 5)
        return FakeResult([[float(len(t)), 1.0] for t in texts], 10 * len(texts))


def test_voyage_embed_batches_retries_and_records_tokens():
    client = FakeVoyage(failures=2)
    slept = []
    texts = ["aa", "bbbb", "cc", "d", "eeeeee"]
    vectors, tokens = emb.voyage_embed(texts, client, "voyage-3.5", max_texts=2, max_tokens=1000,
                                       max_attempts=4, first_delay=1.0, sleep=slept.append)  # fmt: skip
    assert [c[0] for c in client.calls] == [["aa", "bbbb"]] * 3 + [["cc", "d"], ["eeeeee"]]
    assert all(c[1] == "voyage-3.5" and c[2] == "document" for c in client.calls)
    assert slept == [1.0, 2.0]
    assert vectors.tolist() == [[2, 1], [4, 1], [2, 1], [1, 1], [6, 1]]
    # batch totals 20, 20, 10 apportioned by estimated tokens (1,2 | 1,1 | 3)
    assert tokens.tolist() == [7, 13, 10, 10, 10] and tokens.sum() == 50


def test_voyage_embed_rejects_a_short_answer():
    with pytest.raises(emb.EmbeddingError, match="1 vectors for 2 texts"):
        emb.voyage_embed(["a", "b"], FakeVoyage(broken=True), "m", 10, 100, 2, 0.0, sleep=lambda s: None)


def test_failed_provider_caches_nothing():
    def embed(batch):
        raise emb.EmbeddingError("permanent provider error: AuthenticationError: invalid key")

    texts = texts_frame([("h1", "hello")])
    with pytest.raises(emb.EmbeddingError, match="invalid key"):
        emb.embed_new_texts(texts, pd.DataFrame(columns=["provider", "model_name", "text_hash"]),
                            "voyage", "voyage-3.5", embed, NOW)  # fmt: skip


def test_validate_vectors():
    assert emb.validate_vectors([[1, 2], [3, 4]], 2).dtype == np.float32
    for bad, match in [([[1, 2], [3]], "dimensions"), ([[1.0, float("nan")]], "non-finite"), (None, "None")]:
        with pytest.raises(emb.EmbeddingError, match=match):
            emb.validate_vectors(bad, 1 if bad is not None and len(bad) == 1 else 2)


def test_provider_model_and_api_key(monkeypatch):
    settings = {"embedding_model_local": "sendwise-hash-ngram-256-v1", "embedding_model_voyage": "voyage-3.5"}
    assert emb.provider_model("local", settings) == "sendwise-hash-ngram-256-v1"
    assert emb.provider_model("voyage", settings) == "voyage-3.5"
    with pytest.raises(emb.EmbeddingError, match="must be one of"):
        emb.provider_model("openai", settings)
    with pytest.raises(emb.EmbeddingError, match="unknown local embedding model"):
        emb.provider_model("local", {"embedding_model_local": "nope"})
    monkeypatch.delenv("VOYAGE_API_KEY", raising=False)
    with pytest.raises(emb.EmbeddingError, match="VOYAGE_API_KEY is not set"):
        emb.voyage_api_key("duckdb", None, None)
    monkeypatch.setenv("VOYAGE_API_KEY", "k-123")
    assert emb.voyage_api_key("duckdb", None, None) == "k-123"


def test_result_frame_types():
    need = pd.DataFrame({"text_hash": ["h1"], "text": ["x"]})
    out = emb.result_frame(need, np.ones((1, 3), dtype=np.float32), np.array([2]), "local", "m", NOW)
    assert out.columns.tolist() == ["embedding_key", "provider", "model_name", "text_hash", "embedding_dims",
                                    "embedding", "token_count", "embedded_at"]  # fmt: skip
    assert list(out["embedding"].iloc[0]) == [1.0, 1.0, 1.0]
    assert out["embedding_key"].iloc[0] == emb.cache_key("local", "m", "h1")
