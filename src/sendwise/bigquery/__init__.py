"""BigQuery checks that run offline: plan limits, partition filters, the ZetaSQL analyzer and evaluator."""
