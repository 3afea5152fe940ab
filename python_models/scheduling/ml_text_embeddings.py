"""Text embeddings with a cache keyed by (provider, model, text hash): an incremental dbt Python model.

Input: `int_texts_to_embed` (text_id, text_kind, text_hash, text; several kinds). Output: one row per
(provider, model_name, text_hash) ever embedded (`embedding_key` = md5 of the three). Each build embeds
only the texts whose hash has no vector yet for the current provider and model, so a second build with
the same data embeds nothing and a changed caption (new hash) is embedded once.

Providers (var `embedding_provider`, passed as the config `embedding_provider`):

* `local` (default): offline and deterministic. Char 3-4 (word-bounded) and word 1-2 n-grams are hashed
  (scikit-learn HashingVectorizer, stateless), each part L2-normalised, then projected to `dims` with a
  sparse sign matrix derived from a fixed integer hash of (seed, feature, slot) and L2-normalised. A
  text's vector depends only on the text and the model version, never on the other texts of the batch,
  which is what makes caching sound (a corpus-fitted TF-IDF + SVD would drift as the corpus changes).
  The model name (setting `embedding_model_local`) names the parameters in LOCAL_MODELS: a new version
  is a new cache key.
* `voyage`: the voyageai client (model from setting `embedding_model_voyage`); key from VOYAGE_API_KEY
  locally, from Secret Manager inside the BigQuery job. Batches within the API limits (count and
  estimated tokens), exponential backoff on rate limits and server errors, token counts recorded
  (each batch's total apportioned to its texts). 408, 5xx, timeouts, refused or reset connections and
  bodies that are cut short or not JSON are transient (retried). A permanent failure before any batch
  was paid for raises `EmbeddingError`: the model fails with that message and nothing is cached; after
  some batches were paid for, their vectors are cached and the rest is left for the next build.

`embedded_at` is the wall-clock time of the provider call: cache metadata (when a vector was paid
for), not a model result; `ml_embedding_runs` counts the rows embedded by each build from it.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import NamedTuple

import numpy as np
import pandas as pd

PROVIDERS = ("local", "voyage")
TEXT_COLUMNS = ["text_id", "text_kind", "text_hash", "text"]


class EmbeddingError(RuntimeError):
    """A provider failure that must fail the build (nothing is cached)."""


class PartialEmbeddingError(EmbeddingError):
    """A later batch failed after earlier ones were paid for: the first `done` texts have vectors."""

    def __init__(self, message: str, done: int, vectors: np.ndarray, tokens: np.ndarray):
        super().__init__(message)
        self.done, self.vectors, self.tokens = done, vectors, tokens


class LocalParams(NamedTuple):
    char_ngram: tuple[int, int]
    word_ngram: tuple[int, int]
    hash_bits: int  # n_features = 2 ** hash_bits for each of the two hashers
    dims: int
    nonzeros: int  # signed entries per hashed feature in the projection
    seed: int


LOCAL_MODELS: dict[str, LocalParams] = {
    "sendwise-hash-ngram-256-v1": LocalParams(
        char_ngram=(3, 4), word_ngram=(1, 2), hash_bits=20, dims=256, nonzeros=4, seed=20261115
    ),
}


# ---- cache keys --------------------------------------------------------------------------------


def cache_key(provider: str, model_name: str, text_hash: str) -> str:
    """The cache key of one vector: md5 of provider, model and text hash (unit-separator joined)."""
    return hashlib.md5(f"{provider}\x1f{model_name}\x1f{text_hash}".encode()).hexdigest()


def texts_needing_embedding(
    texts: pd.DataFrame, cached: pd.DataFrame, provider: str, model_name: str
) -> pd.DataFrame:
    """Distinct (text_hash, text) of `texts` without a cached vector for (provider, model_name).

    `cached` has columns provider, model_name, text_hash (other providers' rows are ignored). Sorted by
    text_hash so a run is reproducible."""
    have = set(
        cached.loc[(cached["provider"] == provider) & (cached["model_name"] == model_name), "text_hash"]
    )
    need = texts.loc[~texts["text_hash"].isin(have), ["text_hash", "text"]]
    need = need.drop_duplicates("text_hash").sort_values("text_hash", kind="stable")
    return need.reset_index(drop=True)


# ---- local provider ----------------------------------------------------------------------------

_M64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def splitmix64(values: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser on uint64 (wrapping arithmetic): a fixed, version-independent hash."""
    z = (np.asarray(values, dtype=np.uint64) + np.uint64(0x9E3779B97F4A7C15)) & _M64
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def projection_entries(features: np.ndarray, params: LocalParams) -> tuple[np.ndarray, np.ndarray]:
    """Target dimension and sign (+-1/sqrt(nonzeros)) of each (feature, slot): arrays (n, nonzeros)."""
    f = np.asarray(features, dtype=np.uint64)[:, None] * np.uint64(params.nonzeros)
    slots = np.arange(params.nonzeros, dtype=np.uint64)[None, :]
    with np.errstate(over="ignore"):
        h = splitmix64((f + slots) ^ np.uint64(params.seed))
    dims = (h % np.uint64(params.dims)).astype(np.int64)
    signs = np.where((h >> np.uint64(63)) == 1, -1.0, 1.0) / math.sqrt(params.nonzeros)
    return dims, signs


def _hashers(params: LocalParams):
    from sklearn.feature_extraction.text import HashingVectorizer

    n = 2**params.hash_bits
    common = {"n_features": n, "alternate_sign": False, "norm": "l2", "lowercase": True}
    char = HashingVectorizer(analyzer="char_wb", ngram_range=params.char_ngram, **common)
    word = HashingVectorizer(
        analyzer="word", ngram_range=params.word_ngram, token_pattern=r"(?u)\b\w+\b|[^\w\s]", **common
    )
    return char, word


def l2_normalise(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length; all-zero rows stay zero."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)


def local_embed(texts: Sequence[str], params: LocalParams, chunk: int = 8192) -> np.ndarray:
    """Stateless embeddings (float32, shape (n, dims), unit rows): each row depends only on its text.
    Texts are embedded `chunk` at a time, so memory stays bounded whatever the library's size."""
    texts = list(texts)
    if not texts:
        return np.zeros((0, params.dims), dtype=np.float32)
    char, word = _hashers(params)
    parts = [_embed_chunk(texts[i : i + chunk], char, word, params) for i in range(0, len(texts), chunk)]
    return np.concatenate(parts)


def _embed_chunk(texts: list[str], char, word, params: LocalParams) -> np.ndarray:
    """Hashed n-gram counts times the sparse sign projection, L2-normalised (float32).

    The projection has exactly `nonzeros` entries per hashed feature, so the product adds, for each
    stored count of a text and each of those entries, one signed value into the text's target
    dimension: np.bincount does each slot in one pass. (scipy's sparse @ sparse built a sparse
    result row by row before densifying it: 8 s for 50,000 captions against about 1 s here, which
    made the x10 library's embedding take minutes.)"""
    import scipy.sparse as sp

    x = sp.hstack([char.transform(texts), word.transform(texts)], format="csr")
    features = np.unique(x.indices)
    dims, signs = projection_entries(features, params)
    position = np.searchsorted(features, x.indices)
    cells = np.repeat(np.arange(x.shape[0], dtype=np.int64), np.diff(x.indptr)) * params.dims
    dense = np.zeros(x.shape[0] * params.dims)
    for slot in range(params.nonzeros):
        dense += np.bincount(
            cells + dims[position, slot], weights=x.data * signs[position, slot], minlength=dense.size
        )
    return l2_normalise(dense.reshape(x.shape[0], params.dims)).astype(np.float32)


def local_token_counts(texts: Sequence[str]) -> np.ndarray:
    """Word and punctuation tokens per text (what the local model's word analyser sees)."""
    pattern = re.compile(r"\w+|[^\w\s]")
    return np.array([len(pattern.findall(t)) for t in texts], dtype=np.int64)


# ---- voyage provider: batching, retries, tokens ------------------------------------------------

RETRYABLE_ERRORS = {
    "RateLimitError",
    "ServiceUnavailableError",
    "ServerError",
    "TryAgain",
    "Timeout",
    "APIConnectionError",
}


def estimate_tokens(text: str) -> int:
    """A conservative token estimate (UTF-8 bytes / 2, at least 1) for batch budgeting."""
    return max(1, math.ceil(len(text.encode("utf-8")) / 2))


def make_batches(texts: Sequence[str], max_texts: int, max_tokens: int) -> list[list[int]]:
    """Consecutive index batches with at most `max_texts` texts and `max_tokens` estimated tokens
    (a single text above the token budget goes alone; the provider then decides)."""
    if max_texts < 1 or max_tokens < 1:
        raise ValueError("batch limits must be positive")
    batches: list[list[int]] = []
    current: list[int] = []
    tokens = 0
    for i, text in enumerate(texts):
        t = estimate_tokens(text)
        if current and (len(current) >= max_texts or tokens + t > max_tokens):
            batches.append(current)
            current, tokens = [], 0
        current.append(i)
        tokens += t
    if current:
        batches.append(current)
    return batches


# 408 request timeout, 409 conflict, 425 too early, 429 rate limit (and every 5xx) are worth retrying
TRANSIENT_HTTP_STATUSES = {408, 409, 425, 429}


def is_retryable(exc: BaseException) -> bool:
    """Rate limits, 408, server errors (5xx), timeouts, connection errors (refused, reset) and body
    errors (a body cut short, a 200 that is not JSON) are retried; the rest (authentication, invalid
    request, ...) is permanent."""
    import http.client
    import json

    if type(exc).__name__ in RETRYABLE_ERRORS:
        return True
    body_errors = (OSError, http.client.HTTPException, json.JSONDecodeError, UnicodeDecodeError)
    if isinstance(exc, body_errors) or isinstance(exc.__cause__, body_errors):
        return True
    status = getattr(exc, "http_status", None)
    # a success status with an error is a broken body (voyageai: APIError "HTTP code 200 from API")
    return isinstance(status, int) and (status < 400 or status in TRANSIENT_HTTP_STATUSES or status >= 500)


def backoff_delays(max_attempts: int, first_delay: float) -> list[float]:
    """Waits between attempts: first_delay, 2x, 4x, ... (max_attempts - 1 of them)."""
    return [first_delay * 2**i for i in range(max(0, max_attempts - 1))]


def call_with_retry(
    fn: Callable[[], object],
    max_attempts: int,
    first_delay: float,
    sleep: Callable[[float], None] = time.sleep,
    retryable: Callable[[BaseException], bool] = is_retryable,
):
    """fn() with exponential backoff on retryable errors; raises EmbeddingError when a permanent error
    occurs or the attempts run out (the message names the cause)."""
    delays = backoff_delays(max_attempts, first_delay)
    for attempt in range(1, max_attempts + 1):
        try:
            return fn()
        except Exception as exc:
            if not retryable(exc):
                raise EmbeddingError(f"permanent provider error: {type(exc).__name__}: {exc}") from exc
            if attempt == max_attempts:
                raise EmbeddingError(
                    f"provider still failing after {max_attempts} attempts: {type(exc).__name__}: {exc}"
                ) from exc
            sleep(delays[attempt - 1])
    raise EmbeddingError("no attempt made")  # max_attempts < 1


def apportion_tokens(total: int, weights: Sequence[float]) -> np.ndarray:
    """Split a batch's token total over its texts proportionally to `weights` (largest remainder:
    integers that sum exactly to `total`)."""
    w = np.asarray(weights, dtype=float)
    if w.size == 0:
        return np.zeros(0, dtype=np.int64)
    if w.sum() <= 0:
        w = np.ones_like(w)
    raw = total * w / w.sum()
    base = np.floor(raw).astype(np.int64)
    rest = int(total - base.sum())
    order = np.argsort(-(raw - base), kind="stable")
    base[order[:rest]] += 1
    return base


def validate_vectors(vectors, n_expected: int) -> np.ndarray:
    """The provider's vectors as float32 (n, d); raises EmbeddingError on a wrong count, ragged or
    empty dimensions, or non-finite values (so nothing wrong is cached)."""
    if vectors is None or len(vectors) != n_expected:
        got = None if vectors is None else len(vectors)
        raise EmbeddingError(f"provider returned {got} vectors for {n_expected} texts")
    lengths = {len(v) for v in vectors}
    if len(lengths) != 1 or 0 in lengths:
        raise EmbeddingError(f"provider returned vectors of dimensions {sorted(lengths)}")
    matrix = np.asarray(vectors, dtype=np.float32)
    if not np.isfinite(matrix).all():
        raise EmbeddingError("provider returned non-finite values")
    return matrix


def voyage_embed(
    texts: Sequence[str],
    client,
    model_name: str,
    max_texts: int,
    max_tokens: int,
    max_attempts: int,
    first_delay: float,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[np.ndarray, np.ndarray]:
    """Embed with a voyageai-compatible client (`client.embed(texts, model=, input_type=)` returning
    `.embeddings` and `.total_tokens`). Returns (vectors float32 (n, d), tokens per text).

    When a batch fails for good after earlier batches were paid for, raises PartialEmbeddingError
    carrying the vectors of the texts done so far (batches are consecutive: the first `done` texts),
    so the caller can cache what was paid for."""
    texts = list(texts)
    vectors: list[np.ndarray] = []
    tokens = np.zeros(len(texts), dtype=np.int64)
    done = 0
    for batch in make_batches(texts, max_texts, max_tokens):
        batch_texts = [texts[i] for i in batch]
        try:
            result = call_with_retry(
                lambda batch_texts=batch_texts: client.embed(
                    batch_texts, model=model_name, input_type="document", truncation=True
                ),
                max_attempts,
                first_delay,
                sleep=sleep,
            )
            batch_vectors = validate_vectors(getattr(result, "embeddings", None), len(batch))
            if vectors and batch_vectors.shape[1] != vectors[0].shape[1]:
                raise EmbeddingError(
                    f"provider changed dimensions between batches: {vectors[0].shape[1]}, {batch_vectors.shape[1]}"
                )
        except EmbeddingError as exc:
            if not done:
                raise
            raise PartialEmbeddingError(str(exc), done, np.vstack(vectors), tokens[:done].copy()) from exc
        vectors.append(batch_vectors)
        total = int(getattr(result, "total_tokens", 0) or 0)
        tokens[batch] = apportion_tokens(total, [estimate_tokens(t) for t in batch_texts])
        done += len(batch)
    if not vectors:
        return np.zeros((0, 0), dtype=np.float32), tokens
    dims = {v.shape[1] for v in vectors}
    if len(dims) != 1:
        raise EmbeddingError(f"provider changed dimensions between batches: {sorted(dims)}")
    return np.vstack(vectors), tokens


# ---- orchestration -----------------------------------------------------------------------------


def result_frame(
    need: pd.DataFrame,
    vectors: np.ndarray,
    tokens: np.ndarray,
    provider: str,
    model_name: str,
    embedded_at: datetime,
) -> pd.DataFrame:
    """The rows to cache, with explicit Arrow types (an empty frame keeps its column types)."""
    import pyarrow as pa

    n = len(need)
    if vectors.shape[0] != n or len(tokens) != n:
        raise EmbeddingError(f"{vectors.shape[0]} vectors / {len(tokens)} token counts for {n} texts")
    dims = vectors.shape[1] if n else 0
    flat = pa.array(np.ascontiguousarray(vectors, dtype=np.float32).ravel(), type=pa.float32())
    offsets = pa.array(np.arange(0, n * dims + 1, max(dims, 1))[: n + 1], type=pa.int32())
    hashes = need["text_hash"].astype(str).tolist()
    table = pa.table(
        {
            "embedding_key": pa.array([cache_key(provider, model_name, h) for h in hashes], pa.string()),
            "provider": pa.array([provider] * n, pa.string()),
            "model_name": pa.array([model_name] * n, pa.string()),
            "text_hash": pa.array(hashes, pa.string()),
            "embedding_dims": pa.array([dims] * n, pa.int64()),
            "embedding": pa.ListArray.from_arrays(offsets, flat),
            "token_count": pa.array(np.asarray(tokens, dtype=np.int64), pa.int64()),
            "embedded_at": pa.array([embedded_at] * n, pa.timestamp("us")),
        }
    )
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def embed_new_texts(
    texts: pd.DataFrame,
    cached: pd.DataFrame,
    provider: str,
    model_name: str,
    embed: Callable[[list[str]], tuple[np.ndarray, np.ndarray]],
    embedded_at: datetime,
) -> pd.DataFrame:
    """Embed only what the cache lacks; `embed(texts) -> (vectors, tokens)` is the provider.

    A provider failing after some batches were paid for (PartialEmbeddingError) keeps those
    vectors: they are cached, the rest stays missing (ml_embedding_runs.texts_missing) and is
    embedded by the next build. A failure before anything was paid for fails the build."""
    need = texts_needing_embedding(texts, cached, provider, model_name)
    if need.empty:
        vectors, tokens = np.zeros((0, 0), dtype=np.float32), np.zeros(0, dtype=np.int64)
    else:
        try:
            vectors, tokens = embed(need["text"].tolist())
        except PartialEmbeddingError as exc:
            print(f"ml_text_embeddings: kept {exc.done} of {len(need)} paid vectors; the rest failed: {exc}")
            need = need.iloc[: exc.done].reset_index(drop=True)
            vectors, tokens = exc.vectors, exc.tokens
    return result_frame(need, vectors, tokens, provider, model_name, embedded_at)


def provider_model(provider: str, settings: dict[str, str]) -> str:
    if provider not in PROVIDERS:
        raise EmbeddingError(f"embedding_provider must be one of {PROVIDERS}, got {provider!r}")
    name = settings.get(f"embedding_model_{provider}")
    if not name:
        raise EmbeddingError(f"setting embedding_model_{provider} is missing")
    if provider == "local" and name not in LOCAL_MODELS:
        raise EmbeddingError(f"unknown local embedding model {name!r}; known: {sorted(LOCAL_MODELS)}")
    return name


def voyage_api_key(target_type: str, secret_name: str | None, project: str | None) -> str:
    """VOYAGE_API_KEY from the environment; on BigQuery from Secret Manager (secret_name is a full
    resource name or a secret id in the job's project; latest version)."""
    if target_type != "bigquery":
        key = os.environ.get("VOYAGE_API_KEY")
        if not key:
            raise EmbeddingError("embedding_provider is voyage but VOYAGE_API_KEY is not set")
        return key
    from google.cloud import secretmanager

    name = secret_name or "voyage-api-key"
    if not name.startswith("projects/"):
        name = f"projects/{project}/secrets/{name}/versions/latest"
    response = secretmanager.SecretManagerServiceClient().access_secret_version(name=name)
    return response.payload.data.decode("utf-8").strip()


# ---- the dbt model -----------------------------------------------------------------------------


def read_query(session, sql: str, target_type: str):
    if target_type == "bigquery":
        import bigframes.pandas as bpd

        return bpd.read_gbq(sql)
    return session.sql(sql)


# >>> shared block adapter: keep every copy the same text (sendwise rules-check)
# --- Adapter (docs/ml.md, "Both adapters"): a dbt relation to pandas, the result back to the engine.
# The same text in every Python model that reads a relation (sendwise rules-check keeps the copies
# equal to the canonical one; dbt Python models cannot import project code on BigQuery).


def to_pandas(
    frame, columns: list[str] | None = None, equals: dict[str, str] | None = None, arrow: bool = False
) -> pd.DataFrame:
    """A DuckDB relation, BigQuery DataFrames, Spark DataFrame or pandas frame as pandas. Only the
    rows whose columns equal `equals` and only `columns` (in that order) leave the warehouse: they
    are selected on the engine before the download (BigQuery DataFrames refuses downloads over
    500 MB by default). arrow=True reads a DuckDB relation through Arrow with pd.ArrowDtype columns,
    so a vector column stays an Arrow list column instead of one numpy object per row (the other
    engines ignore it)."""
    equals = equals or {}
    module = type(frame).__module__
    if isinstance(frame, pd.DataFrame) or module.startswith("bigframes"):
        for name, value in equals.items():
            frame = frame[frame[name] == value]
        frame = frame if columns is None else frame[columns]
        return frame if isinstance(frame, pd.DataFrame) else frame.to_pandas()
    if module.startswith("pyspark"):
        for name, value in equals.items():
            frame = frame.filter(frame[name] == value)
        return (frame if columns is None else frame.select(*columns)).toPandas()
    if not hasattr(frame, "project"):
        raise TypeError(f"cannot convert {type(frame).__name__} to pandas")
    for name, value in equals.items():  # a DuckDB relation
        text = str(value).replace("'", "''")
        frame = frame.filter(f"\"{name}\" = '{text}'")
    if columns is not None:
        frame = frame.project(", ".join(f'"{c}"' for c in columns))
    if not arrow:
        return frame.df()
    table = frame.arrow()
    table = table.read_all() if hasattr(table, "read_all") else table  # a RecordBatchReader (DuckDB 1.4)
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def settings_dict(settings: pd.DataFrame) -> dict[str, str]:
    """settings_modeling as {setting_name: setting_value}. The seed declares setting_value a
    not-null string (seeds/_seeds.yml), so the values are text on every engine and .astype(str)
    changes none of them; it keeps them plain Python str whatever dtype the download gives."""
    return dict(zip(settings["setting_name"], settings["setting_value"].astype(str), strict=True))


def to_engine(frame, target_type: str):
    """The model's result as the engine's DataFrame: on BigQuery a pandas frame becomes BigQuery
    DataFrames (bigframes, bpd.read_pandas) and one that already is (a reused output) stays as it
    is; elsewhere the frame itself: pandas, or the Arrow table of a reused output on DuckDB (its
    column types kept)."""
    if target_type == "bigquery" and isinstance(frame, pd.DataFrame):
        import bigframes.pandas as bpd

        return bpd.read_pandas(frame)
    return frame


# <<< shared block adapter


def model(dbt, session):
    dbt.config(
        materialized="incremental",
        incremental_strategy="merge",
        unique_key="embedding_key",
        packages=[
            "numpy==2.4.6",
            "pandas==2.3.3",
            "pyarrow==26.0.1",
            "scipy==1.17.1",
            "scikit-learn==1.9.1",
            "voyageai==0.5.0",
            "google-cloud-secret-manager==2.32.0",
        ],
    )
    target_type = dbt.config.get("target_type")
    provider = dbt.config.get("embedding_provider")
    secret_name = dbt.config.get("voyage_secret_name")
    settings = settings_dict(to_pandas(dbt.ref("settings_modeling")))
    model_name = provider_model(provider, settings)
    texts = to_pandas(dbt.ref("int_texts_to_embed"), TEXT_COLUMNS)

    if dbt.is_incremental:
        cached = to_pandas(
            read_query(
                session,
                f"select provider, model_name, text_hash from {dbt.this} "
                f"where provider = '{provider}' and model_name = '{model_name}'",
                target_type,
            )
        )
    else:
        cached = pd.DataFrame({"provider": [], "model_name": [], "text_hash": []})

    if provider == "local":
        params = LOCAL_MODELS[model_name]

        def embed(batch: list[str]):
            return local_embed(batch, params), local_token_counts(batch)
    else:
        import voyageai

        key = voyage_api_key(target_type, secret_name, dbt.this.database)
        client = voyageai.Client(api_key=key, max_retries=0)

        def embed(batch: list[str]):
            return voyage_embed(
                batch,
                client,
                model_name,
                max_texts=int(float(settings["voyage_batch_size"])),
                max_tokens=int(float(settings["voyage_batch_max_tokens"])),
                max_attempts=int(float(settings["voyage_max_attempts"])),
                first_delay=float(settings["voyage_backoff_seconds"]),
            )

    embedded_at = datetime.now(timezone.utc).replace(tzinfo=None)  # noqa: UP017 - runtimes older than 3.11
    result = embed_new_texts(texts, cached, provider, model_name, embed, embedded_at)

    return to_engine(result, target_type)
