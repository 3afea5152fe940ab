from __future__ import annotations

from sendwise.demo import vocab


def test_revenue_is_price_times_purchased_plus_tips(con):
    bad = con.sql(
        "select count(*) from chat.chat_logs"
        " where abs(revenue - (price * purchased::int + tips)) > 1e-9 or (purchased and price <= 0)"
    ).fetchone()[0]
    assert bad == 0
    tips = con.sql(
        "select count(*) filter (tips > 0), count(*) filter (tips > 0 and fan_message = printf('I sent you a $%.2f tip', tips))"
        " from chat.chat_logs"
    ).fetchone()
    assert tips[0] > 0 and tips[0] == tips[1]


def test_pairs_segments_and_multi_model_fans(con):
    share_multi = con.sql(
        "select avg((n > 1)::int) from (select fan_id, count(distinct model_name) n from ground_truth.fans group by 1)"
    ).fetchone()[0]
    assert 0.2 <= share_multi <= 0.5
    segs = dict(con.sql("select segment, count(*) from ground_truth.fans group by 1").fetchall())
    assert set(segs) == {"whale", "romantic", "sampler", "ghost"}
    # segments behave differently
    stats = {
        s: (rev, n)
        for s, rev, n in con.sql(
            "select f.segment, sum(c.revenue) / count(distinct f.fan_model_key), avg(f.n_rows)"
            " from ground_truth.fans f join chat.chat_logs c using (fan_id, model_name) group by 1"
        ).fetchall()
    }
    assert stats["whale"][0] > stats["romantic"][0] > stats["sampler"][0] >= stats["ghost"][0] == 0
    assert stats["ghost"][1] < stats["sampler"][1] < stats["romantic"][1]


def test_keys_unique_and_sessions(con):
    dup = con.sql(
        "select count(*) from (select fan_id, model_name, datetime from chat.chat_logs where datetime is not null"
        " group by all having count(*) > 1)"
    ).fetchone()[0]
    labelled = con.sql(
        "select count(*) from ground_truth.injected_defects where defect_type = 'exact_duplicate'"
    ).fetchone()[0]
    assert dup == labelled
    gaps = con.sql(
        "select count(*) filter (gap = 14400), count(*) filter (gap > 14400), count(*) filter (gap < 14400)"
        " from (select datediff('second', lag(datetime) over (partition by fan_id, model_name order by datetime),"
        " datetime) gap from chat.chat_logs where datetime is not null) where gap is not null"
    ).fetchone()
    assert gaps[0] > 0 and gaps[1] > 0 and gaps[2] > gaps[1]
    handles = con.sql(
        "select count(*) filter (fan_id like 'fan\\_%' escape '\\'), count(*) from ground_truth.fans"
    ).fetchone()
    assert 0.8 * handles[1] <= handles[0] < handles[1]


def test_personal_details_appear_in_the_pairs_text(con):
    sentence = {(t, v): s for t, pool in vocab.DETAILS.items() for v, s in pool}
    texts: dict[tuple[str, str], set[str]] = {}
    for fan, model, msg in con.sql("select fan_id, model_name, fan_message from chat.chat_logs").fetchall():
        texts.setdefault((fan, model), set()).add(msg)
    details = con.sql(
        "select fan_id, model_name, detail_type, detail_value from ground_truth.fan_details"
    ).fetchall()
    assert details
    assert all(sentence[(t, v)] in texts[(f, m)] for f, m, t, v in details)
    types = {t for (t,) in con.sql("select distinct detail_type from ground_truth.fan_details").fetchall()}
    assert types == {
        "age", "job", "relationship", "hobby", "location", "life_event", "personality", "emotional_need",
        "motivation",
    }  # fmt: skip
    by_seg = dict(
        con.sql(
            "select f.segment, count(d.fan_id) / count(distinct f.fan_model_key) from ground_truth.fans f"
            " left join ground_truth.fan_details d using (fan_id, model_name) group by 1"
        ).fetchall()
    )
    assert by_seg["romantic"] > by_seg["sampler"] > by_seg["ghost"]
    adversarial = con.sql(
        "select count(*) from chat.chat_logs where lower(fan_message) like '%ignore previous instructions%'"
        " or fan_message like '%PWNED%' or fan_message like 'SYSTEM OVERRIDE%'"
    ).fetchone()[0]
    assert adversarial >= 2
    placeholders = con.sql(
        "select count(*) from chat.chat_logs where fan_message in ('Media', 'GIF')"
    ).fetchone()[0]
    assert placeholders > 0
