"""Promo posts (content.content_metadata, content.outcomes) with a hidden engagement model.

True engagement rate of a post (constant over its collections):

    ln ER = mu[content_type] + er_quality * (quality_score - 0.6) + er_decision_<decision_type>
          + er_hour_amplitude * cos(2 pi (posted_hour_utc - er_hour_peak) / 24) + er_length_<length>
          + N(0, er_noise_sd)

length = the suffix of `style` ("<voice>_<length>"). Success of an arm = ER > 3 %.
followers_gained > 0 (on the latest collection) ~ Bernoulli(sigmoid(follow_intercept
+ follow_novelty * novelty_score + follow_expertise * expertise_level + follow_viral * viral_score / 100)).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sendwise.demo import vocab
from sendwise.demo.defects import Labels, pick_disjoint, with_copies

_O = object
SUCCESS_ER = 0.03

PARAMS: dict[str, float] = {
    "er_quality": 0.9,
    "er_decision_single": 0.0,
    "er_decision_thread": 0.15,
    "er_decision_reply": -0.25,
    "er_hour_amplitude": 0.25,
    "er_hour_peak": 18.0,
    "er_length_short": 0.05,
    "er_length_medium": 0.10,
    "er_length_long": -0.15,
    "er_noise_sd": 0.45,
    "follow_intercept": -2.6,
    "follow_novelty": 1.8,
    "follow_expertise": 1.4,
    "follow_viral": 2.2,
    "success_er_threshold": SUCCESS_ER,
}
DECISION_P = np.array([0.5, 0.3, 0.2])
BEST_ARM_GAP = (0.04, 0.08)  # the best arm's success probability exceeds the second's by this much


def daypart(hour: np.ndarray) -> np.ndarray:
    h = np.asarray(hour)
    return np.select(
        [(h >= 6) & (h < 12), (h >= 12) & (h < 17), (h >= 17) & (h < 22)],
        ["morning", "afternoon", "evening"],
        "night",
    ).astype(_O)


def _draw_features(rng: np.random.Generator, n: int, type_p: np.ndarray) -> dict[str, np.ndarray]:
    hour = np.where(rng.random(n) < 0.75, rng.normal(16, 4, n), rng.uniform(0, 24, n))
    return {
        "ctype": rng.choice(len(vocab.CONTENT_TYPES), size=n, p=type_p),
        "dtype": rng.choice(3, size=n, p=DECISION_P),
        "quality": rng.beta(5, 3, n),
        "hour": np.floor(hour % 24).astype(np.int64),
        "length": rng.integers(0, 3, n),
    }


def _log_er(f: dict[str, np.ndarray], mu: np.ndarray, noise: np.ndarray) -> np.ndarray:
    p = PARAMS
    dec = np.array([p["er_decision_single"], p["er_decision_thread"], p["er_decision_reply"]])
    length = np.array([p["er_length_short"], p["er_length_medium"], p["er_length_long"]])
    return (
        mu[f["ctype"]]
        + p["er_quality"] * (f["quality"] - 0.6)
        + dec[f["dtype"]]
        + p["er_hour_amplitude"] * np.cos(2 * np.pi * (f["hour"] - p["er_hour_peak"]) / 24.0)
        + length[f["length"]]
        + noise
    )


def _arms(rng: np.random.Generator, n_types: int) -> tuple[np.ndarray, int, pd.DataFrame]:
    """(mu per content type, index of the best arm, arm truth). Every arm shares the distribution of
    ln ER - mu (features and noise), so one Monte Carlo sample X of it (fixed size, deterministic)
    gives each arm's success probability P(X + mu > ln 3 %). The others' mu are spread between
    ln 1.8 % and ln 2.7 %; the best arm's mu is set so that it succeeds BEST_ARM_GAP more often than
    the second (a learnable but not a certain gap)."""
    best = int(rng.integers(n_types))
    others = np.linspace(np.log(0.018), np.log(0.027), n_types - 1)[rng.permutation(n_types - 1)]
    mc_n = 40_000
    x = _log_er(
        _draw_features(rng, mc_n, np.full(n_types, 1.0 / n_types)),
        np.zeros(n_types),
        rng.normal(0, PARAMS["er_noise_sd"], mc_n),
    )
    success = lambda m: float((x + m > np.log(SUCCESS_ER)).mean())  # noqa: E731
    gap = rng.uniform(*BEST_ARM_GAP)
    mu_best = np.log(SUCCESS_ER) - np.quantile(x, 1.0 - (success(others.max()) + gap))
    mu = np.insert(others, best, mu_best)
    arms = pd.DataFrame(
        {
            "content_type": list(vocab.CONTENT_TYPES),
            "true_success_prob": [success(m) for m in mu],
            "true_mean_er": [float(np.exp(x + m).mean()) for m in mu],
            "is_best": np.arange(n_types) == best,
        }
    )
    return mu, best, arms


def _uuid(rng: np.random.Generator, n: int) -> np.ndarray:
    raw = rng.integers(0, 2**32, size=(n, 4), dtype=np.uint64)
    hexes = [f"{a:08x}{b:08x}{c:08x}{d:08x}" for a, b, c, d in raw.tolist()]
    return np.array([f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}" for h in hexes], dtype=_O)


def generate_content(
    rng: np.random.Generator, target_outcomes: int, start: np.datetime64, end: np.datetime64, labels: Labels
) -> dict[str, pd.DataFrame]:
    """The content tables and their truth. The steps draw from `rng` in a fixed order (a world is
    reproducible from its seed): arms, features, post times, metadata, collections, follows,
    defects."""
    n_types = len(vocab.CONTENT_TYPES)
    mu, best, arms_df = _arms(rng, n_types)
    type_p = np.full(n_types, 1.0)
    type_p[best] = 1.3
    type_p /= type_p.sum()

    n = max(20, round(target_outcomes / (0.92 * 2.0)))
    f = _draw_features(rng, n, type_p)
    end_s = end.astype("datetime64[s]").astype(np.int64)
    unposted, created, posted = _post_times(rng, f, start, end)
    meta, posts_truth, traits = _post_metadata(rng, f, mu, unposted, created, posted)
    er = posts_truth["true_er"].to_numpy()
    c = _collections(rng, f, er, posted, unposted, end_s)
    follows, p_follow, followers = _follows(rng, traits, unposted, c)
    posts_truth["p_follow"] = np.where(unposted, np.nan, p_follow)
    posts_truth["gains_followers"] = follows
    outcomes = _outcomes_frame(rng, meta["decision_id"].to_numpy(), c, followers)
    meta, outcomes = _add_defects(rng, meta, outcomes, c["is_latest"], labels)
    params = pd.DataFrame(
        {
            "name": list(PARAMS) + [f"mu_{t}" for t in vocab.CONTENT_TYPES],
            "value": list(PARAMS.values()) + list(mu),
        }
    )
    return {
        "content_metadata": meta,
        "outcomes": outcomes,
        "content_arms": arms_df,
        "content_posts": posts_truth,
        "content_params": params,
    }


def _post_times(
    rng: np.random.Generator, f: dict[str, np.ndarray], start: np.datetime64, end: np.datetime64
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(unposted, created, posted) in epoch seconds; 8 % of posts are drafts created in the last days.
    A posted post goes out at its drawn UTC hour, 10 min to ~2 days after creation, at least 3 h
    before `end`; `f["hour"]` is set to the hour actually posted."""
    n = f["hour"].size
    start_s = start.astype("datetime64[s]").astype(np.int64)
    end_s = end.astype("datetime64[s]").astype(np.int64)
    unposted = rng.random(n) < 0.08
    created = np.where(
        unposted,
        end_s - rng.integers(3600, 4 * 86400, n),
        start_s + rng.integers(0, end_s - start_s - 2 * 86400, n),
    )
    day0 = (created // 86400 + rng.integers(0, 2, n)) * 86400
    posted = day0 + f["hour"] * 3600 + rng.integers(0, 3600, n)
    posted = np.where(posted <= created + 600, posted + 86400, posted)
    over = posted - (end_s - 3 * 3600)
    posted = posted - np.where(over > 0, (over + 86399) // 86400, 0) * 86400
    created = np.where(unposted, created, np.minimum(created, posted - rng.integers(600, 36 * 3600, n)))
    hour = (posted % 86400) // 3600  # consistent with posted_at even after the shifts
    f["hour"] = np.where(unposted, f["hour"], hour)
    return unposted, created, posted


def _post_metadata(
    rng: np.random.Generator,
    f: dict[str, np.ndarray],
    mu: np.ndarray,
    unposted: np.ndarray,
    created: np.ndarray,
    posted: np.ndarray,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, np.ndarray]]:
    """(content_metadata rows, the posts' truth without the follow columns, the unrounded novelty
    and expertise): true ER from the model in the module docstring, style, ids, topic and hook."""
    n = f["hour"].size
    planned_part = daypart(f["hour"])
    log_er = _log_er(f, mu, rng.normal(0, PARAMS["er_noise_sd"], n))
    er = np.clip(np.exp(log_er), 0.001, 0.4)
    novelty = rng.beta(2, 2, n)
    expertise = rng.beta(2, 3, n)
    voices = np.array(vocab.STYLE_VOICES, dtype=_O)[rng.integers(0, len(vocab.STYLE_VOICES), n)]
    lengths = np.array(vocab.STYLE_LENGTHS, dtype=_O)[f["length"]]
    ctype = np.array(vocab.CONTENT_TYPES, dtype=_O)[f["ctype"]]
    dtype = np.array(vocab.DECISION_TYPES, dtype=_O)[f["dtype"]]
    ids = _uuid(rng, n)
    meta = pd.DataFrame(
        {
            "decision_id": ids,
            "quality_score": np.round(f["quality"], 4),
            "decision_type": dtype,
            "bandit_arm": ctype + "_" + dtype + "_" + planned_part,
            "topic": np.array(vocab.PROMO_TOPICS, dtype=_O)[rng.integers(0, len(vocab.PROMO_TOPICS), n)],
            "hook_type": np.array(vocab.HOOK_TYPES, dtype=_O)[rng.integers(0, len(vocab.HOOK_TYPES), n)],
            "style": voices + "_" + lengths,
            "novelty_score": np.round(novelty, 4),
            "expertise_level": np.round(expertise, 4),
            "created_at": created.astype("datetime64[s]"),
            "posted_at": np.where(unposted, np.datetime64("NaT"), posted.astype("datetime64[s]")),
        }
    )
    meta["posted_at"] = meta["posted_at"].astype("datetime64[s]")
    posts_truth = pd.DataFrame(
        {
            "decision_id": ids,
            "content_type": ctype,
            "decision_type": dtype,
            "daypart": planned_part,
            "posted_hour_utc": np.where(unposted, -1, f["hour"]),
            "style_length": lengths,
            "is_posted": ~unposted,
            "true_er": er,
            "is_success": er > SUCCESS_ER,
        }
    )
    return meta, posts_truth, {"novelty": novelty, "expertise": expertise}


def _collections(
    rng: np.random.Generator,
    f: dict[str, np.ndarray],
    er: np.ndarray,
    posted: np.ndarray,
    unposted: np.ndarray,
    end_s: int,
) -> dict[str, np.ndarray]:
    """1-3 collections per posted post (index `o_post` into the posts), later = more impressions,
    never after `end`; engagement drawn from the true ER; the viral score of each collection and of
    each post's latest one (`viral_final`)."""
    n = er.size
    post = np.flatnonzero(~unposted)
    k = rng.choice([1, 2, 3], size=post.size, p=[0.3, 0.4, 0.3])
    o_post = np.repeat(post, k)
    o_rank = np.concatenate([np.arange(x) for x in k]) if k.size else np.array([], np.int64)
    lo = np.array([1, 20, 44]) * 3600
    hi = np.array([12, 30, 72]) * 3600
    when = posted[o_post] + rng.integers(lo[o_rank], hi[o_rank])
    ok = (when <= end_s) | (o_rank == 0)
    when = np.where(o_rank == 0, np.minimum(when, end_s), when)
    o_post, o_rank, when = o_post[ok], o_rank[ok], when[ok]
    is_latest = np.r_[o_post[1:] != o_post[:-1], True]
    final_impr = np.exp(
        rng.normal(np.log(3000), 0.8, n) + 0.8 * (f["quality"] - 0.6) + np.array([0, 0.25, -0.3])[f["dtype"]]
    )
    frac = np.select(
        [o_rank == 0, o_rank == 1],
        [rng.uniform(0.35, 0.7, o_post.size), rng.uniform(0.8, 0.95, o_post.size)],
        1.0,
    )
    impr = np.maximum(1, np.round(final_impr[o_post] * frac)).astype(np.int64)
    engaged = rng.binomial(impr, er[o_post])
    likes = rng.binomial(engaged, 0.75)
    rest = engaged - likes
    retweets = rng.binomial(rest, 0.48)
    replies = rest - retweets
    bookmarks = rng.binomial(impr, er[o_post] * 0.15)
    obs_er = (likes + retweets + replies) / impr
    z = (
        2.0 * np.log(np.maximum(obs_er, 1e-4) / SUCCESS_ER)
        + 0.5 * np.log(impr / 3000.0)
        + rng.normal(0, 0.3, o_post.size)
    )
    viral = np.clip(100 / (1 + np.exp(-z)), 0, 100).round(1)
    viral_final = np.zeros(n)
    viral_final[o_post[is_latest]] = viral[is_latest]
    return {
        "o_post": o_post,
        "when": when,
        "is_latest": is_latest,
        "frac": frac,
        "impr": impr,
        "likes": likes,
        "retweets": retweets,
        "replies": replies,
        "bookmarks": bookmarks,
        "obs_er": obs_er,
        "viral": viral,
        "viral_final": viral_final,
    }


def _follows(
    rng: np.random.Generator, traits: dict[str, np.ndarray], unposted: np.ndarray, c: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(post gains followers, its probability, followers_gained per collection): the follow model of
    the module docstring; earlier collections show a binomial share of the final count."""
    p = PARAMS
    novelty, expertise = traits["novelty"], traits["expertise"]
    z = p["follow_intercept"] + p["follow_novelty"] * novelty + p["follow_expertise"] * expertise
    z = z + p["follow_viral"] * c["viral_final"] / 100
    p_follow = 1 / (1 + np.exp(-z))
    follows = (rng.random(novelty.size) < p_follow) & ~unposted
    final_followers = np.where(follows, 1 + rng.poisson(3 + 10 * c["viral_final"] / 100), 0)
    o_post = c["o_post"]
    followers = np.where(
        c["is_latest"], final_followers[o_post], rng.binomial(final_followers[o_post], c["frac"])
    )
    return follows, p_follow, followers


def _outcomes_frame(
    rng: np.random.Generator, ids: np.ndarray, c: dict[str, np.ndarray], followers: np.ndarray
) -> pd.DataFrame:
    """content.outcomes: one row per collection; 40 % leave engagement_rate empty."""
    o_post = c["o_post"]
    er_col = np.where(rng.random(o_post.size) < 0.4, np.nan, c["obs_er"])
    return pd.DataFrame(
        {
            "decision_id": ids[o_post],
            "impressions": c["impr"].astype(float),
            "likes": c["likes"],
            "retweets": c["retweets"],
            "replies": c["replies"],
            "bookmarks": c["bookmarks"],
            "engagement_rate": er_col,
            "viral_score": c["viral"],
            "followers_gained": followers,
            "collected_at": c["when"].astype("datetime64[s]"),
        }
    )


def _add_defects(
    rng: np.random.Generator,
    meta: pd.DataFrame,
    outcomes: pd.DataFrame,
    is_latest: np.ndarray,
    labels: Labels,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The content sources' defects (labelled in `labels`): out-of-range quality and duplicated
    decision ids in the metadata; superseded collections, negative metrics and missing impressions
    in the outcomes."""
    src = "content.content_metadata"
    picks, _ = pick_disjoint(rng, len(meta), src)
    i = picks["quality_score_out_of_range"]
    meta.loc[i, "quality_score"] = np.where(
        np.arange(i.size) % 2 == 0, 1 + rng.uniform(0.05, 0.6, i.size), -rng.uniform(0.05, 0.4, i.size)
    ).round(4)
    labels.add(src, "quality_score_out_of_range", meta["decision_id"].to_numpy()[i])
    dup = picks["duplicate_decision_id"]
    labels.add(src, "duplicate_decision_id", meta["decision_id"].to_numpy()[dup])
    meta = with_copies(meta, dup)

    src = "content.outcomes"
    sup = np.flatnonzero(~is_latest)
    labels.add(
        src,
        "superseded_collection",
        outcomes["decision_id"].to_numpy()[sup],
        outcomes["collected_at"].to_numpy()[sup],
    )
    picks, _ = pick_disjoint(
        rng,
        len(outcomes),
        src,
        eligible={"negative_metric": is_latest, "missing_impressions": is_latest},
        skip=("superseded_collection",),
    )
    i = picks["negative_metric"]
    cols = np.array(["likes", "retweets", "replies", "bookmarks"])[np.arange(i.size) % 4]
    for col in np.unique(cols):
        rows = i[cols == col]
        outcomes.loc[rows, col] = -(1 + rng.integers(0, 50, rows.size))
    labels.add(src, "negative_metric", *(outcomes[c].to_numpy()[i] for c in ("decision_id", "collected_at")))
    i = picks["missing_impressions"]
    outcomes.loc[i, "impressions"] = np.nan
    labels.add(
        src, "missing_impressions", *(outcomes[c].to_numpy()[i] for c in ("decision_id", "collected_at"))
    )
    return meta, outcomes
