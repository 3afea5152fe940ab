"""The playbook writer of `sendwise fan-report` (pure functions; the command end to end runs in
test_fans_e2e.py against the small built database), and fan-report / evaluate-fans / where on a
copy of the built fan tables under another profile's schema prefix (analytics_marts, ...)."""

from __future__ import annotations

import pandas as pd
import pytest

from sendwise.commands import fan_report

METRICS = pd.DataFrame(
    {
        "method": ["A", "B"],
        "cluster_k": [3, 2],
        "silhouette": [0.31, 0.25],
        "revenue_eta_squared": [0.79, 0.80],
    }
)


def test_choose_method_best_silhouette_or_requested():
    assert fan_report.choose_method(METRICS) == "A"
    assert fan_report.choose_method(METRICS, "B") == "B"
    tie = METRICS.assign(silhouette=[0.3, 0.3])
    assert fan_report.choose_method(tie) == "B"  # ties: the richer method


def test_best_hours_by_sales_then_rate_then_hour():
    hours = pd.DataFrame(
        {
            "local_hour": [9, 21, 14, 3, 22],
            "offers": [10, 4, 8, 5, 0],
            "purchases": [2, 2, 5, 0, 0],
            "fan_rows": [30, 12, 40, 50, 0],
        }
    )
    # 14:00 has most sales (5); 21:00 and 09:00 both 2: 21:00 wins on rate 2/4 > 2/10
    assert fan_report.best_hours(hours) == [(14, 5, 5 / 8), (21, 2, 0.5), (9, 2, 0.2)]
    assert fan_report.busiest_hours(hours, 2) == [(3, 50), (14, 40)]
    assert fan_report.best_hours(hours.assign(purchases=0)) == []


def test_price_points_sold_and_unsold():
    prices = pd.DataFrame(
        {"price": [9.99, 19.99, 49.99, 4.99], "offers": [10, 4, 3, 2], "purchases": [3, 3, 0, 1]}
    )
    sold, unsold = fan_report.price_points(prices)
    # 9.99 and 19.99 both sold 3: 19.99 first on rate 3/4 > 3/10
    assert sold == [(19.99, 3, 0.75), (9.99, 3, 0.3), (4.99, 1, 0.5)]
    assert unsold == [49.99]


def test_introductions_by_fans_then_value_then_name():
    candidates = pd.DataFrame(
        {
            "candidate_page_key": ["cleo", "ava", "bea", "dee"],
            "fans": [2, 5, 2, 1],
            "mean_value": [80.0, 40.0, 120.0, 500.0],
        }
    )
    # ava is the first choice of most fans; cleo and bea tie on 2 fans: bea's higher value first
    assert fan_report.introductions(candidates) == [("ava", 5, 40.0), ("bea", 2, 120.0), ("cleo", 2, 80.0)]
    assert fan_report.introductions(candidates.iloc[:0]) == []


def _cluster(**kw):
    base = {
        "cluster_id": 1,
        "name": "top spenders: custom + video",
        "pairs": 10,
        "revenue": 1000.0,
        "revenue_per_pair": 100.0,
        "purchase_rate": 0.5,
        "buyer_share": 0.8,
        "active_share": 0.6,
        "top_terms": ["custom", "video"],
    }
    base.update(kw)
    return fan_report.ClusterPlaybook(**base)


def test_red_flags_from_the_data():
    healthy = _cluster(sold_prices=[(20.0, 5, 0.5)], unsold_prices=[10.0])
    assert fan_report.red_flags(healthy, overall_rate=0.4, overall_active=0.5) == []
    declined = _cluster(
        purchase_rate=0.1, active_share=0.2, sold_prices=[(20.0, 1, 0.1)], unsold_prices=[35.0, 50.0]
    )
    flags = fan_report.red_flags(declined, overall_rate=0.4, overall_active=0.5)
    assert any(f.startswith("offers mostly declined: 10% bought vs 40% overall") for f in flags)
    assert any(f.startswith("going quiet: 20% active vs 50% overall") for f in flags)
    assert any("offers above $20.00 never sold (offered: $35.00, $50.00)" in f for f in flags)
    never = _cluster(buyer_share=0.0, purchase_rate=0.0)
    assert any("none of these fans has bought" in f for f in fan_report.red_flags(never, 0.4, 0.5))
    no_offer = _cluster(purchase_rate=None, buyer_share=0.0)
    assert any("no PPV offer" in f for f in fan_report.red_flags(no_offer, 0.4, 0.5))


def test_write_playbook_sections():
    clusters = [
        _cluster(
            best_hours=[(21, 5, 0.5)],
            busiest_hours=[(20, 40)],
            sold_prices=[(19.99, 1, 1.0)],
            median_rows_to_first_sale=7.0,
            introductions=[("ava", 5, 40.0), ("bea", 1, 1234.5)],
            red_flags=["going quiet: 10% active vs 40% overall; re-engage before offering"],
        ),
        _cluster(
            cluster_id=2,
            name="non-buyers",
            revenue=0.0,
            revenue_per_pair=0.0,
            purchase_rate=None,
            top_terms=[],
        ),
    ]
    text = fan_report.write_playbook(clusters, "A", METRICS)
    assert text.startswith("# Chatter playbook by fan cluster")
    assert "Method A (stage texts), k = 3 clusters chosen by silhouette (0.310)" in text
    assert "| 1 | top spenders: custom + video | 10 | $1,000.00 | $100.00 | 50% | 60% |" in text
    assert "## Cluster 1: top spenders: custom + video" in text
    assert "**Best hours.** 21:00 (5 sales, 50% of offers). Most active: 20:00." in text
    assert "**Price points that sold.** $19.99 (1 sale, 100% of offers)." in text
    assert "'custom', 'video' more than others; the first sale comes after a median of 7 messages" in text
    assert "- going quiet: 10% active vs 40% overall" in text
    assert (
        "**Introductions.** to another creator, for the fans who talk to one only: ava (first choice for"
        " 5 fans, $40.00 per introduction); bea (first choice for 1 fan, $1,234.50 per introduction)"
    ) in text
    # a cluster without sales, offers or terms says so instead of inventing advice
    second = text.split("## Cluster 2: non-buyers")[1]
    assert "no sale yet" in second and "none yet" in second and "no distinctive words" in second
    assert "- none in the data" in second
    assert "**Introductions.** none (no fan of this cluster has a candidate in fan_cross_sell)." in second


# ---- a profile's own schema prefix (analytics_marts, ...) ---------------------------------------

# what fan-report and evaluate-fans' seed_figures read (sendwise_ names in the built test database)
FAN_TABLES = (
    "sendwise_marts.fan_cluster_metrics",
    "sendwise_marts.fan_cluster_summary",
    "sendwise_marts.fan_model_pairs",
    "sendwise_marts.fan_cross_sell",
    "sendwise_marts.fan_timing_evaluation",
    "sendwise_ml.fan_clusters",
    "sendwise_ml.fan_prediction_metrics",
    "sendwise_ml.fan_embeddings",
    "sendwise_intermediate.int_fan_chat_messages",
    "sendwise_seeds.settings_modeling",
)


@pytest.fixture(scope="module")
def analytics_db(built_db, tmp_path_factory):
    """The fan tables of the built test database under analytics_marts / _ml / _intermediate (as a
    profile with `schema: analytics` builds them), no sendwise_ schema; ground_truth.fans kept."""
    from built_demo import with_schema_prefix

    dest = tmp_path_factory.mktemp("analytics") / "analytics.duckdb"
    return with_schema_prefix(built_db, dest, FAN_TABLES, "analytics", keep=("ground_truth.fans",))


def test_fan_report_reads_a_profiles_own_schema_prefix(analytics_db, built_con, tmp_path):
    """fan-report on marts under analytics_*: the same playbook as on the sendwise_* build."""
    from sendwise.cli import main

    out = tmp_path / "report"
    assert main(["fan-report", "--db", str(analytics_db), "--out", str(out)]) == 0
    metrics = fan_report.load_metrics(built_con)
    method = fan_report.choose_method(metrics)
    expected = fan_report.write_playbook(fan_report.load_playbooks(built_con, method)[0], method, metrics)
    assert (out / "playbook.md").read_text() == expected
    assert "## Cluster" in expected


def test_evaluate_fans_reads_a_profiles_own_schema_prefix(analytics_db, built_db):
    import json

    from sendwise.commands.evaluate_fans import seed_figures

    figures = seed_figures(analytics_db)
    assert figures["clustering"] and figures["purchase_test_auc"]
    assert json.dumps(figures, sort_keys=True, default=float) == json.dumps(
        seed_figures(built_db), sort_keys=True, default=float
    )


def test_where_names_the_schema_it_found(analytics_db, capsys):
    from sendwise.cli import main

    assert main(["where", "--db", str(analytics_db)]) == 0
    printed = capsys.readouterr().out
    assert "  analytics_marts:\n" in printed and "sendwise_" not in printed
    # the first mart of the listing, as no caption_rankings_top3 was copied
    assert 'sendwise query "select * from analytics_marts.fan_cluster_metrics limit 10"' in printed


def test_two_builds_schemas_are_refused_in_one_line(built_db, tmp_path, capsys, monkeypatch):
    """analytics_* and other_* both hold the fan tables and the profile's schema is sendwise: no
    guess, one line naming both schemas, exit 2, nothing written."""
    from built_demo import with_schema_prefix

    from sendwise.cli import main

    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "profiles.yml").write_text(
        "sendwise:\n  target: duckdb\n  outputs:\n    duckdb:\n      type: duckdb\n      schema: sendwise\n"
    )
    monkeypatch.setenv("DBT_PROFILES_DIR", str(profiles))

    db = tmp_path / "two.duckdb"
    for prefix in ("analytics", "other"):
        with_schema_prefix(built_db, db, FAN_TABLES, prefix)
    out = tmp_path / "report"
    assert main(["fan-report", "--db", str(db), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "sendwise fan-report: fan_cluster_metrics is in both analytics_marts and other_marts"
        " (the profile's schema is sendwise): keep one build per database file or drop the schemas"
        " you do not mean"
    ]
    assert not out.exists()
    assert main(["where", "--db", str(db)]) == 0  # where lists both and shows an example for each
    printed = capsys.readouterr().out
    assert "select * from analytics_marts.fan_cluster_metrics" in printed
    assert "select * from other_marts.fan_cluster_metrics" in printed
