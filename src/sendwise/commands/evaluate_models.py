"""`sendwise evaluate-models`: the model-quality figures of the README on fresh demo worlds.

For every seed a demo world is generated (history up to --end), the dbt seeds loaded and the models
the figures come from run with as_of = --end (`dbt run`, no tests): the revenue model's holdout
metrics (GBM beside the page x hour mean and the page's last-28-day revenue per send), the
near-duplicate pairs against the planted ones, the promo-content bandit's pick against the
historical-best arm (highest raw success rate, no prior, no exploration) and the truth, and the weekly
template's expected revenue per PPV message and confidence (the share of PPV sends below each
candidate `low_confidence_threshold`), and the template's expected revenue against the generator's
hidden truth for the same planned sends (sendwise.evaluation.template_truth), beside the page's
last-28-day revenue per PPV send. Per seed and the mean over seeds; `--out` writes the JSON record
(command, commit, seeds) under benchmarks/evaluations/.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sendwise.errors import check_run_outputs
from sendwise.paths import DEFAULT_END

HELP = "revenue model, near-duplicates, content bandit and template figures on fresh demo worlds"
SELECT = (
    "+ml_revenue_model_metrics +caption_near_duplicates +weekly_template_7d +content_next_post_recommendation"
)
CONFIDENCE_GRID = [round(0.05 * i, 2) for i in range(1, 13)]  # 0.05 .. 0.60


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scale", default="seed", choices=("small", "seed", "x10"))
    parser.add_argument("--seeds", type=int, nargs="+", default=[101, 102, 103, 104, 105])
    parser.add_argument("--end", default=DEFAULT_END, help="UTC end of the generated history (= as_of)")
    parser.add_argument("--workdir", default=None, help="keep the worlds here (default: temp, removed)")
    parser.add_argument("--out", default=None, help="write the JSON record to this file")


def _one(con, sql: str):
    return con.sql(sql).fetchone()


def _rel(con, name: str) -> str:
    """schema.name of a built model (its schema depends on the folder's custom schema)."""
    row = con.execute(
        "select table_schema from information_schema.tables where table_name = ?"
        " and table_schema <> 'ground_truth' order by table_schema limit 1",
        [name],
    ).fetchone()
    if row is None:
        raise LookupError(f"{name} is not in the database")
    return f"{row[0]}.{name}"


def revenue_model_figures(con) -> dict:
    rows = con.sql(
        "select predictor, r2, mae, interval_coverage, holdout_sends, mean_actual_revenue, predicted_to_actual"
        f" from {_rel(con, 'ml_revenue_model_metrics')} where metric_scope = 'overall'"
    ).fetchall()
    out = {
        r[0]: {
            "r2": r[1],
            "mae": r[2],
            "interval_coverage": r[3],
            "holdout_sends": r[4],
            "predicted_to_actual": r[6],
        }
        for r in rows
    }
    out["mean_actual_revenue"] = rows[0][5] if rows else None
    per_page = con.sql(
        f"select predictor, median(r2) from {_rel(con, 'ml_revenue_model_metrics')}"
        " where metric_scope = 'page' group by 1"
    ).fetchall()
    for predictor, median in per_page:
        out[predictor]["median_page_r2"] = median
    return out


def near_duplicate_figures(con) -> dict:
    planted = set(
        con.sql(
            "select least(caption_id, original_caption_id), greatest(caption_id, original_caption_id)"
            " from ground_truth.caption_near_duplicates"
            f" where caption_id in (select caption_id from {_rel(con, 'stg_agency__caption_bank')})"
            f" and original_caption_id in (select caption_id from {_rel(con, 'stg_agency__caption_bank')})"
        ).fetchall()
    )
    found = set(
        con.sql(
            "select least(caption_id, duplicate_caption_id), greatest(caption_id, duplicate_caption_id)"
            f" from {_rel(con, 'caption_near_duplicates')}"
        ).fetchall()
    )
    hits = len(found & planted)
    return {
        "planted": len(planted),
        "found": len(found),
        "true_positives": hits,
        "precision": hits / len(found) if found else None,
        "recall": hits / len(planted) if planted else None,
    }


def content_figures(con) -> dict:
    """True success probability of the bandit's pick, of its posterior-mean pick, of the historical-best
    arm (highest successes / outcomes, ties to more outcomes) and of the truly best arm."""
    arms = con.sql(
        "select rec.content_type, rec.successes, rec.n_outcomes, rec.posterior_mean, rec.is_recommended,"
        " truth.true_success_prob, truth.is_best"
        f" from {_rel(con, 'content_next_post_recommendation')} as rec"
        " inner join ground_truth.content_arms as truth on rec.content_type = truth.content_type"
        " where rec.scope = 'content'"
    ).df()
    if arms.empty:
        return {}
    arms["raw_rate"] = arms["successes"] / arms["n_outcomes"].where(arms["n_outcomes"] > 0)
    pick = arms[arms["is_recommended"]].iloc[0]
    greedy = arms.sort_values(["posterior_mean", "content_type"], ascending=[False, True]).iloc[0]
    hist = arms.sort_values(["raw_rate", "n_outcomes"], ascending=[False, False], na_position="last").iloc[0]
    best = arms[arms["is_best"]].iloc[0]
    return {
        "arms": len(arms),
        "outcomes": int(arms["n_outcomes"].sum()),
        "best_true_p": float(best["true_success_prob"]),
        "bandit_true_p": float(pick["true_success_prob"]),
        "posterior_mean_pick_true_p": float(greedy["true_success_prob"]),
        "historical_best_true_p": float(hist["true_success_prob"]),
        "mean_arm_true_p": float(arms["true_success_prob"].mean()),
        "bandit_is_best": bool(pick["is_best"]),
        "historical_best_is_best": bool(hist["is_best"]),
    }


def template_figures(con) -> dict:
    ppv = con.sql(
        f"select expected_revenue, confidence from {_rel(con, 'weekly_template_7d')} where message_type = 'PPV'"
    ).df()
    conf = ppv["confidence"].fillna(0.0)
    setting = float(
        _one(
            con,
            f"select setting_value from {_rel(con, 'settings_modeling')}"
            " where setting_name = 'low_confidence_threshold'",
        )[0]
    )
    return {
        "ppv_sends": len(ppv),
        "mean_expected_revenue_per_ppv": float(ppv["expected_revenue"].mean()),
        "median_expected_revenue_per_ppv": float(ppv["expected_revenue"].median()),
        "confidence_quantiles": {str(q): float(conf.quantile(q)) for q in (0.05, 0.1, 0.25, 0.5, 0.75, 0.9)},
        "share_below": {str(t): float((conf < t).mean()) for t in CONFIDENCE_GRID},
        "low_confidence_threshold": setting,
        "share_low_confidence": float((conf < setting).mean()),
    }


def evaluate_world(scale: str, seed: int, workdir: Path, end: str, log) -> dict:
    import duckdb

    from sendwise.dbt import prepare_incremental_tables, run_dbt, vars_arg
    from sendwise.demo.generate import generate
    from sendwise.evaluation.template_truth import planned_sends_with_truth, truth_figures

    world = workdir / f"world_{seed}"
    world.mkdir(parents=True, exist_ok=True)
    db = world / "models.duckdb"
    t0 = time.perf_counter()
    generate(scale, seed, db, end)
    target = world / "target"
    run_dbt(["seed", "--quiet"], duckdb_path=db, target_path=target, capture=True)
    prepare_incremental_tables(end, duckdb_path=db)
    result = run_dbt(
        ["run", "--quiet", "--select", *SELECT.split(), "--vars", vars_arg({"as_of": end})],
        duckdb_path=db,
        target_path=target,
        capture=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"dbt run failed on seed {seed}:\n{result.stdout[-3000:]}\n{result.stderr[-2000:]}"
        )
    con = duckdb.connect(str(db), read_only=True)
    try:
        figures = {
            "revenue_model": revenue_model_figures(con),
            "near_duplicates": near_duplicate_figures(con),
            "content": content_figures(con),
            "template": template_figures(con),
            "template_truth": truth_figures(
                planned_sends_with_truth(con, db, _rel(con, "weekly_template_7d"))
            ),
        }
    finally:
        con.close()
    log(f"seed {seed}: {time.perf_counter() - t0:.0f} s")
    return figures


def _mean(values):
    values = [v for v in values if v is not None]
    return statistics.fmean(values) if values else None


def summarise(per_seed: dict[int, dict]) -> dict:
    """Mean over seeds of every numeric leaf (booleans as shares)."""

    def walk(items: list):
        first = items[0]
        if isinstance(first, dict):
            return {k: walk([i.get(k) for i in items if isinstance(i, dict)]) for k in first}
        if isinstance(first, bool):
            return _mean([float(v) for v in items if v is not None])
        if isinstance(first, int | float) or first is None:
            return _mean([v for v in items if isinstance(v, int | float)])
        return None

    return walk(list(per_seed.values()))


def run(args: argparse.Namespace) -> int:
    check_run_outputs(args.out, args.workdir)
    own = args.workdir is None
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="sendwise_models_"))
    log = lambda *a: print(*a, file=sys.stderr)  # noqa: E731
    try:
        per_seed = {seed: evaluate_world(args.scale, seed, workdir, args.end, log) for seed in args.seeds}
        report = {"scale": args.scale, "as_of": args.end, "mean": summarise(per_seed), "by_seed": per_seed}
        if args.out:
            from sendwise.evaluation.record import record, write

            write(args.out, record("models", args.seeds, report, scale=args.scale))
        print(json.dumps(report, indent=1, default=float))
        return 0
    finally:
        if own:
            shutil.rmtree(workdir, ignore_errors=True)
