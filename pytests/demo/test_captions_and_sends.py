from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from sendwise.demo.keys import normalise_text


def test_planted_near_duplicates_are_closest_to_their_original(con):
    bank = con.sql(
        "select caption_id, caption_text from agency.caption_bank where caption_text is not null"
        " qualify row_number() over (partition by caption_id) = 1"
    ).fetchall()
    ids = [c for c, _ in bank]
    pos = {c: i for i, c in enumerate(ids)}
    pairs = con.sql(
        "select caption_id, original_caption_id from ground_truth.caption_near_duplicates"
    ).fetchall()
    assert 0.02 * len(ids) <= len(pairs) <= 0.04 * len(ids)
    x = CountVectorizer(analyzer="char", ngram_range=(3, 3)).fit_transform(
        [normalise_text(t) for _, t in bank]
    )
    var = np.array([pos[v] for v, _ in pairs])
    orig = np.array([pos[o] for _, o in pairs])
    sim = cosine_similarity(x[var], x)
    rows = np.arange(var.size)
    sim[rows, var] = -1.0
    own = sim[rows, orig].copy()
    sim[rows, orig] = -1.0
    assert (own > sim.max(axis=1)).all()
    assert np.median(own) > 0.85
    # normalised texts are unique, so a variant never hashes to its original
    texts = [normalise_text(t) for _, t in bank]
    assert len(set(texts)) == len(texts)


def test_caption_attributes(con):
    got = con.sql(
        "select count(*) filter (usage_status = 'available') / count(*),"
        " count(*) filter (validation_level = 'low') / count(*),"
        " count(distinct tone), count(distinct price_tier),"
        " count(*) filter (caption_text like '%?') / count(*),"
        " count(*) filter (lower(caption_text) like '%unlock%' or lower(caption_text) like '%open%') / count(*)"
        " from agency.caption_bank"
    ).fetchone()
    assert 0.85 <= got[0] <= 0.95
    assert 0.15 <= got[1] <= 0.25
    assert got[2] == 6 and got[3] == 3
    assert 0.15 <= got[4] <= 0.35
    assert got[5] > 0.3
    fams = con.sql("select count(distinct family_id) from ground_truth.captions").fetchone()[0]
    assert fams > 100


def test_sent_messages_link_to_the_bank_by_normalised_text(con):
    bank = {
        normalise_text(t)
        for (t,) in con.sql(
            "select caption_text from agency.caption_bank where caption_text is not null"
        ).fetchall()
    }
    rows = con.sql(
        "select m.message, s.caption_id from agency.mass_messages m join ground_truth.sends s using (row_id)"
    ).fetchall()
    linked = [normalise_text(m) in bank for m, _ in rows]
    in_bank = [c is not None for _, c in rows]
    assert linked == in_bank  # every bank send links, every off-bank send does not
    share_off = 1 - np.mean(in_bank)
    assert 0.03 <= share_off <= 0.08
    raw_equal = con.sql(
        "select count(*) from agency.mass_messages m join agency.caption_bank c on m.message = c.caption_text"
    ).fetchone()[0]
    assert raw_equal < len(rows)  # messiness really changes some messages


def test_sends_respect_vault_window_and_volume(con):
    outside_vault = con.sql(
        "select count(*) from ground_truth.sends s join ground_truth.captions c using (caption_id)"
        " join ground_truth.page_category_affinity a on a.page_key = s.page_key"
        " and a.content_category = c.content_category where not a.in_vault"
    ).fetchone()[0]
    assert outside_vault == 0
    outside_window = con.sql(
        "select count(*) from ground_truth.sends s join ground_truth.pages p using (page_key)"
        " where s.local_hour < p.active_from_hour or s.local_hour > p.active_to_hour"
    ).fetchone()[0]
    assert outside_window == 0
    local_ok = con.sql(
        "select count(*) filter (where strftime(timezone(p.timezone, timezone('UTC', m.sending_time)),"
        " '%Y-%m-%d %H:%M:%S') <> strftime(s.local_at, '%Y-%m-%d %H:%M:%S')) from agency.mass_messages m"
        " join ground_truth.sends s using (row_id) join ground_truth.pages p using (page_key)"
        " where m.sending_time <= (select end_at from ground_truth.generation_meta)"
    ).fetchone()[0]
    assert local_ok == 0
    ppv = con.sql(
        "select count(*) filter (lower(message_type) = 'ppv') / count(*), count(distinct row_id) filter ("
        " caption_id is not null) from ground_truth.sends"
    ).fetchone()
    assert 0.7 <= ppv[0] <= 0.85
    reuse = con.sql(
        "select count(*) from (select caption_id from ground_truth.sends where caption_id is not null"
        " group by 1 having count(distinct page_key) >= 2)"
    ).fetchone()[0]
    assert reuse > 200  # captions are explored across pages


def test_ppv_prices_and_earnings_are_consistent(con):
    # the calibrated rates (conversion, revenue per send) are asserted in test_calibration.py
    prices = con.sql(
        "select min(price), max(price), count(distinct price) from agency.mass_messages"
        " where lower(message_type) = 'ppv' and price > 0"
    ).fetchone()
    assert prices[0] >= 5 and prices[1] <= 61 and prices[2] > 30
    bad_earn = con.sql(
        "select count(*) from agency.mass_messages where lower(message_type) = 'ppv' and price > 0"
        " and abs(earnings - round(price * purchased_count, 2)) > 1e-6"
    ).fetchone()[0]
    assert bad_earn == 0
    # the raw outcomes are the truth's clean outcomes (bar the labelled defect rows)
    differ = con.sql(
        "select count(*) from agency.mass_messages m join ground_truth.sends s using (row_id)"
        " where (m.sent_count, m.viewed_count, m.purchased_count) <> (s.sent_count, s.viewed_count,"
        " s.purchased_count) and row_id not in (select key_1 from ground_truth.injected_defects)"
    ).fetchone()[0]
    assert differ == 0
