"""sendwise tooling around the dbt project: demo data, loading, gates, evaluation, export."""

__version__ = "0.1.0"
