"""`sendwise evaluate-fans`: the fan models' honest figures on generated worlds.

For every seed a demo world is generated (history up to --end), the fan predictor and timing
subgraph is built on it (own DuckDB file), and the figures are read back: the test AUC of every
purchase candidate (and which one validation AUC chose), churn's test AUC beside its baselines,
the timing back-test (lift of the response rate inside the fan's window vs outside it and vs
the creator-level window, with its interval), the cross-sell estimate's leave-one-out back-test
(sendwise.evaluation.fans.cross_sell_backtest: its error against the creator-mean baseline and
the unshrunk neighbours' mean), and the clustering of methods A and B (k chosen by
silhouette, never by the truth; silhouette, Davies-Bouldin, revenue eta squared, and ARI / AMI
against the generator's hidden segments, read only here, by sendwise.evaluation.fans.segment_recovery). Writes one JSON file (command, commit, seeds,
per-seed figures, means with a 95 % t-interval over seeds). Tune on seeds 1-3; report 101-105.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from sendwise.errors import check_run_outputs
from sendwise.evaluation.record import mean_interval
from sendwise.paths import DEFAULT_END

HELP = "build the fan predictor and timing models on generated worlds and write their test figures as JSON"
SELECT = ["+fan_prediction_metrics", "+fan_timing_evaluation", "+fan_cluster_metrics"]
# what seed_figures reads from a world's build, by layer (sendwise.schemas finds the schemas)
SEED_TABLES = {
    "fan_prediction_metrics": "ml",
    "fan_timing_evaluation": "marts",
    "fan_clusters": "ml",
    "fan_cluster_metrics": "marts",
    "fan_model_pairs": "marts",
    "fan_embeddings": "ml",
    "settings_modeling": "seeds",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scale", default="seed", choices=("small", "seed", "x10"))
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3], help="world seeds (default 1 2 3)")
    parser.add_argument("--end", default=DEFAULT_END, help="UTC end of the generated history (= as_of)")
    parser.add_argument(
        "--out", default=None, help="JSON file (default benchmarks/evaluations/fans_<scale>_<seeds>.json)"
    )
    parser.add_argument("--workdir", default=None, help="keep the worlds here (default: temp)")


def _commit() -> str | None:
    try:
        return subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def seed_figures(db: Path) -> dict:
    import duckdb

    from sendwise.evaluation.fans import cross_sell_backtest, cross_sell_summary, segment_recovery
    from sendwise.schemas import require

    con = duckdb.connect(str(db), read_only=True)
    try:
        # the schemas the profile built (sendwise_ml, or e.g. analytics_ml for `schema: analytics`)
        tables = require(con, SEED_TABLES, db)
        metrics = con.sql(
            "select task, split, model_name, is_chosen, rows, positives, auc, note "
            f"from {tables['fan_prediction_metrics']}"
        ).df()
        timing = con.sql(f"select * from {tables['fan_timing_evaluation']}").df()
        clustering = segment_recovery(con, tables["fan_clusters"], tables["fan_cluster_metrics"])
        setting = dict(
            con.sql(
                f"select setting_name, setting_value from {tables['settings_modeling']}"
                " where setting_name in ('fan_cross_sell_neighbours', 'fan_cross_sell_min_fans')"
            ).fetchall()
        )
        cross_sell = cross_sell_summary(
            cross_sell_backtest(
                con.sql(
                    f"select fan_model_key, fan_id, page_key, revenue from {tables['fan_model_pairs']}"
                ).df(),
                con.sql(
                    f"select fan_model_key, embedding from {tables['fan_embeddings']} where method = 'B'"
                ).df(),
                neighbours=int(float(setting["fan_cross_sell_neighbours"])),
                min_fans=int(float(setting["fan_cross_sell_min_fans"])),
            )
        )
    finally:
        con.close()
    test = metrics[metrics["split"] == "test"]
    validation = metrics[metrics["split"] == "validation"]
    purchase = test[test["task"] == "purchase"]
    chosen = purchase[purchase["is_chosen"]]
    return {
        "purchase_test_auc": {r.model_name: r.auc for r in purchase.itertuples()},
        "purchase_validation_auc": {
            r.model_name: r.auc for r in validation[validation["task"] == "purchase"].itertuples()
        },
        "purchase_chosen": chosen["model_name"].iloc[0] if len(chosen) else None,
        "purchase_test_rows": int(purchase["rows"].max()) if len(purchase) else 0,
        "purchase_test_positives": int(purchase["positives"].max()) if len(purchase) else 0,
        "churn_test_auc": {r.model_name: r.auc for r in test[test["task"] == "churn"].itertuples()},
        "timing": {
            r.comparison: {
                "pairs": int(r.pairs),
                "messages_in_window": float(r.messages_a),
                "rate_in_window": r.rate_a,
                "rate_comparison": r.rate_b,
                "lift": r.lift,
                "lift_ci_low": r.lift_ci_low,
                "lift_ci_high": r.lift_ci_high,
            }
            for r in timing.itertuples()
        },
        "cross_sell": cross_sell,
        "clustering": {
            r.method: {
                "pairs": int(r.pairs),
                "cluster_k": int(r.cluster_k),
                "silhouette": r.silhouette,
                "davies_bouldin": r.davies_bouldin,
                "revenue_eta_squared": r.revenue_eta_squared,
                "adjusted_rand_index": r.adjusted_rand_index,
                "adjusted_mutual_info": r.adjusted_mutual_info,
            }
            for r in clustering.itertuples()
        },
    }


def run(args: argparse.Namespace) -> int:
    from sendwise.dbt import prepare_incremental_tables, run_dbt, vars_arg
    from sendwise.demo import generate

    check_run_outputs(args.out, args.workdir)
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="sendwise_fans_eval_"))
    workdir.mkdir(parents=True, exist_ok=True)
    per_seed = {}
    for seed in args.seeds:
        db = workdir / f"fans_{args.scale}_{seed}.duckdb"
        if db.exists():
            db.unlink()
        generate(args.scale, seed, db, args.end)
        prepare_incremental_tables(args.end, duckdb_path=db)
        result = run_dbt(
            ["run", "--select", *SELECT, "--vars", vars_arg({"as_of": args.end}), "--quiet"],
            duckdb_path=db,
            target_path=workdir / f"target_{seed}",
            capture=True,
            check=False,
        )
        if result.returncode != 0:
            print(result.stdout[-3000:] + result.stderr[-3000:], file=sys.stderr)
            return 1
        per_seed[seed] = seed_figures(db)
        print(f"seed {seed}: {json.dumps(per_seed[seed]['purchase_test_auc'])}", file=sys.stderr)
    names = sorted({m for f in per_seed.values() for m in f["purchase_test_auc"]})
    summary = {
        "purchase_test_auc": {
            m: mean_interval([f["purchase_test_auc"].get(m) for f in per_seed.values()]) for m in names
        },
        "purchase_test_auc_chosen": mean_interval(
            [f["purchase_test_auc"].get(f["purchase_chosen"]) for f in per_seed.values()]
        ),
        "clustering": {
            method: {
                figure: mean_interval(
                    [f["clustering"].get(method, {}).get(figure) for f in per_seed.values()]
                )
                for figure in (
                    "cluster_k",
                    "silhouette",
                    "davies_bouldin",
                    "revenue_eta_squared",
                    "adjusted_rand_index",
                    "adjusted_mutual_info",
                )
            }
            for method in sorted({m for f in per_seed.values() for m in f["clustering"]})
        },
        "timing_lift": {
            c: mean_interval([f["timing"].get(c, {}).get("lift") for f in per_seed.values()])
            for c in ("fan_window_vs_outside", "fan_window_vs_creator_window")
        },
        "cross_sell": {
            figure: mean_interval([f["cross_sell"].get(figure) for f in per_seed.values()])
            for figure in sorted({k for f in per_seed.values() for k in f["cross_sell"]})
        },
    }
    report = {
        "command": "sendwise evaluate-fans " + " ".join(sys.argv[2:] if len(sys.argv) > 2 else []),
        "commit": _commit(),
        "date": dt.date.today().isoformat(),
        "scale": args.scale,
        "seeds": args.seeds,
        "end": args.end,
        "summary": summary,
        "per_seed": per_seed,
    }
    out = Path(
        args.out or f"benchmarks/evaluations/fans_{args.scale}_seeds{'-'.join(map(str, args.seeds))}.json"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1, default=float) + "\n")
    print(json.dumps(summary, indent=1, default=float))
    print(f"written {out}")
    return 0
