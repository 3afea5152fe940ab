"""A one-week chat log (the production format, the small demo cut to its last 7 days): the fan
models still build, the purchase predictor trains and tests on a time split inside the week, and
churn's metrics row says its horizon does not fit (never an empty table without a reason).
Lean: only the predictor's subgraph is built (no embeddings, clusters or profiles)."""

from __future__ import annotations

import duckdb
import pytest

from sendwise.dbt import run_dbt, vars_arg
from sendwise.demo import generate
from sendwise.paths import DEFAULT_END

pytestmark = pytest.mark.e2e


def test_one_week_log_splits_purchase_in_time_and_explains_churn(tmp_path):
    db = tmp_path / "test.duckdb"  # the catalog name of the suite's other builds: their dbt parse serves
    generate("small", 42, db, DEFAULT_END)
    con = duckdb.connect(str(db))
    con.execute(f"delete from chat.chat_logs where datetime <= timestamp '{DEFAULT_END}' - interval 7 day")
    con.close()
    result = run_dbt(
        [
            "build",
            "--select",
            "+fan_prediction_metrics",
            "--exclude",
            "test_type:unit",
            "--indirect-selection",
            "cautious",
            "--vars",
            vars_arg({"as_of": DEFAULT_END}),
            "--quiet",
        ],
        duckdb_path=db,
        target_path=tmp_path / "target",
        capture=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    con = duckdb.connect(str(db), read_only=True)
    try:
        [(days,)] = con.sql(
            "select date_diff('second', min(message_at), max(message_at)) / 86400.0 "
            "from sendwise_intermediate.int_fan_chat_messages"
        ).fetchall()
        assert days <= 7
        splits = dict(
            con.sql(
                "select split, count(*) from sendwise_ml.fan_predictions where task = 'purchase' group by 1"
            ).fetchall()
        )
        assert splits.get("train", 0) > 0 and splits.get("test", 0) > 0
        [(train_last, test_first)] = con.sql(
            """
            select
                (select max(predicted_at) from sendwise_ml.fan_predictions where task = 'purchase' and split = 'train'),
                (select min(predicted_at) from sendwise_ml.fan_predictions where task = 'purchase' and split = 'test')
            """
        ).fetchall()
        assert train_last < test_first  # a time split, not a random one
        candidates = {
            r[0]
            for r in con.sql(
                "select model_name from sendwise_ml.fan_prediction_metrics where task = 'purchase' and split = 'test'"
            ).fetchall()
        }
        assert {"baseline_prior", "logistic_regression", "gradient_boosting", "mlp"} <= candidates
        churn = con.sql(
            "select model_name, rows, note from sendwise_ml.fan_prediction_metrics where task = 'churn' and split = 'test'"
        ).fetchall()
        assert churn == [("none", 0, churn[0][2])] and churn[0][2].startswith("horizon does not fit")
    finally:
        con.close()
