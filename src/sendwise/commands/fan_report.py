"""`sendwise fan-report --out DIR`: a chatter playbook per fan cluster and plots of the clusters.

Reads a built DuckDB file (fan_cluster_summary, fan_cluster_metrics, fan_clusters, fan_model_pairs,
fan_cross_sell, int_fan_chat_messages, in whichever `<prefix>_marts` / `_ml` / `_intermediate` schemas the profile
built: sendwise.schemas) and writes:

* `playbook.md`: per cluster of the chosen method, who they are (size, revenue, purchase and active
  rates, the data-derived name), the best page-local hours (most sales, then sales per offer), the
  price points that sold (and the prices offered that never sold), purchase triggers (the cluster's
  top terms and how many rows it takes to the first sale), introductions (the creators
  fan_cross_sell ranks first for the cluster's fans who talk to one creator only) and red flags
  (rates far below the other clusters, fans going quiet, prices above anything that sold);
* `fan_clusters_2d.png`: PCA x/y of every pair coloured by revenue (matplotlib);
* `fan_clusters_3d.html`: an interactive 3D PCA plot coloured by revenue, hover = pair, cluster name
  and revenue (plotly, self-contained: no network needed to open it).

Method: `--method A|B`, or `best` (default): the method with the higher silhouette in
fan_cluster_metrics (ties: B).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sendwise.errors import UserError, check_out_dir, connect
from sendwise.paths import duckdb_path
from sendwise.schemas import require

HELP = "write the chatter playbook per fan cluster (markdown) and 2D/3D cluster plots (PNG, HTML)"

BEST_HOURS_SHOWN = 3
PRICE_POINTS_SHOWN = 5
INTRODUCTIONS_SHOWN = 3
# red flags compare a cluster with the pairs of all clusters of the method
LOW_RATE_RATIO = 0.5  # purchase rate below half the overall rate
QUIET_RATIO = 0.5  # active share below half the overall share


@dataclass
class ClusterPlaybook:
    cluster_id: int
    name: str
    pairs: int
    revenue: float
    revenue_per_pair: float
    purchase_rate: float | None
    buyer_share: float
    active_share: float
    top_terms: list[str]
    best_hours: list[tuple[int, int, float | None]] = field(default_factory=list)  # (hour, sales, rate)
    busiest_hours: list[tuple[int, int]] = field(default_factory=list)  # (hour, fan rows)
    sold_prices: list[tuple[float, int, float]] = field(default_factory=list)  # (price, sales, rate)
    unsold_prices: list[float] = field(default_factory=list)
    median_rows_to_first_sale: float | None = None
    # (creator, fans it is the first candidate of, their mean value per introduction)
    introductions: list[tuple[str, int, float]] = field(default_factory=list)
    red_flags: list[str] = field(default_factory=list)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, help="directory to write playbook.md and the plots into")
    parser.add_argument(
        "--db", default=None, help="DuckDB file (default: $SENDWISE_DUCKDB_PATH or data/sendwise.duckdb)"
    )
    parser.add_argument(
        "--method",
        default="best",
        choices=["A", "B", "best"],
        help="clustering method (default: best silhouette)",
    )


# ---- pure functions ----------------------------------------------------------------------------


def choose_method(metrics: pd.DataFrame, requested: str = "best") -> str:
    """The requested method, or the one with the higher silhouette (ties: B, the richer one)."""
    if requested in ("A", "B"):
        if requested not in set(metrics["method"]):
            raise ValueError(f"method {requested} is not in fan_cluster_metrics")
        return requested
    if metrics.empty:
        raise ValueError("fan_cluster_metrics is empty")
    ranked = metrics.assign(tie=metrics["method"] != "B").sort_values(
        ["silhouette", "tie"], ascending=[False, True]
    )
    return str(ranked["method"].iloc[0])


def best_hours(hours: pd.DataFrame, n: int = BEST_HOURS_SHOWN) -> list[tuple[int, int, float | None]]:
    """From rows (local_hour, offers, purchases): the n hours with the most sales, then the higher
    sales per offer, then the earlier hour; hours without a sale are never 'best'."""
    sold = hours[hours["purchases"] > 0].copy()
    if sold.empty:
        return []
    sold["rate"] = sold["purchases"] / sold["offers"].where(sold["offers"] > 0)
    sold = sold.sort_values(["purchases", "rate", "local_hour"], ascending=[False, False, True])
    return [
        (int(r.local_hour), int(r.purchases), None if pd.isna(r.rate) else float(r.rate))
        for r in sold.head(n).itertuples()
    ]


def busiest_hours(hours: pd.DataFrame, n: int = BEST_HOURS_SHOWN) -> list[tuple[int, int]]:
    """The n hours with the most rows where the fan sent something (ties: earlier hour)."""
    active = hours[hours["fan_rows"] > 0].sort_values(["fan_rows", "local_hour"], ascending=[False, True])
    return [(int(r.local_hour), int(r.fan_rows)) for r in active.head(n).itertuples()]


def price_points(prices: pd.DataFrame, n: int = PRICE_POINTS_SHOWN) -> tuple[list, list]:
    """From rows (price, offers, purchases): prices that sold (most sales first, then higher rate,
    then lower price) as (price, sales, sales per offer), and the prices offered that never sold
    (ascending)."""
    sold = prices[prices["purchases"] > 0].copy()
    sold["rate"] = sold["purchases"] / sold["offers"]
    sold = sold.sort_values(["purchases", "rate", "price"], ascending=[False, False, True])
    unsold = sorted(float(p) for p in prices.loc[prices["purchases"] == 0, "price"])
    return [(float(r.price), int(r.purchases), float(r.rate)) for r in sold.head(n).itertuples()], unsold


def introductions(candidates: pd.DataFrame, n: int = INTRODUCTIONS_SHOWN) -> list[tuple[str, int, float]]:
    """The creators fan_cross_sell ranks first for most of a cluster's fans (rows: candidate_page_key,
    fans, mean_value), then by their mean value per introduction, then by name."""
    top = candidates.sort_values(["fans", "mean_value", "candidate_page_key"], ascending=[False, False, True])
    return [(str(r.candidate_page_key), int(r.fans), float(r.mean_value)) for r in top.head(n).itertuples()]


def red_flags(cluster: ClusterPlaybook, overall_rate: float | None, overall_active: float) -> list[str]:
    """Warnings drawn from the data, relative to all pairs of the method."""
    flags = []
    if cluster.purchase_rate is None:
        flags.append("no PPV offer has been made to these fans yet: nothing is known about what they buy")
    elif cluster.buyer_share == 0:
        flags.append("none of these fans has bought: build rapport before the first offer, do not push PPV")
    elif overall_rate and cluster.purchase_rate < LOW_RATE_RATIO * overall_rate:
        flags.append(
            f"offers mostly declined: {cluster.purchase_rate:.0%} bought vs {overall_rate:.0%} overall;"
            " send fewer, cheaper offers"
        )
    if overall_active > 0 and cluster.active_share < QUIET_RATIO * overall_active:
        flags.append(
            f"going quiet: {cluster.active_share:.0%} active vs {overall_active:.0%} overall;"
            " re-engage before offering"
        )
    if cluster.sold_prices and cluster.unsold_prices:
        top_sold = max(p for p, _, _ in cluster.sold_prices)
        above = [p for p in cluster.unsold_prices if p > top_sold]
        if above:
            flags.append(f"offers above ${top_sold:,.2f} never sold (offered: {_money_list(above)})")
    return flags


def _money_list(values: list[float], limit: int = 5) -> str:
    shown = ", ".join(f"${v:,.2f}" for v in values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None or pd.isna(value) else f"{value:.0%}"


def write_playbook(clusters: list[ClusterPlaybook], method: str, metrics: pd.DataFrame) -> str:
    """The markdown playbook (clusters in the given order)."""
    m = metrics.set_index("method").loc[method]
    lines = [
        "# Chatter playbook by fan cluster",
        "",
        f"Method {method} ({'stage texts + profile features' if method == 'B' else 'stage texts'}),"
        f" k = {int(m['cluster_k'])} clusters chosen by silhouette ({m['silhouette']:.3f});"
        f" the clusters explain {m['revenue_eta_squared']:.0%} of the revenue variance between fans."
        " Hours are the page's local hours; every figure comes from the built tables.",
        "",
        "| cluster | name | fans | revenue | per fan | purchase rate | active |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in clusters:
        lines.append(
            f"| {c.cluster_id} | {c.name} | {c.pairs:,} | ${c.revenue:,.2f} | ${c.revenue_per_pair:,.2f}"
            f" | {_pct(c.purchase_rate)} | {_pct(c.active_share)} |"
        )
    for c in clusters:
        lines += ["", f"## Cluster {c.cluster_id}: {c.name}", ""]
        lines.append(
            f"{c.pairs:,} fan-model pairs, ${c.revenue_per_pair:,.2f} per fan, {_pct(c.buyer_share)} have bought,"
            f" {_pct(c.purchase_rate)} of offers bought, {_pct(c.active_share)} active now."
        )
        lines += ["", "**Best hours.** "]
        if c.best_hours:
            lines[-1] += "; ".join(
                f"{h:02d}:00 ({_n(sales, 'sale')}"
                + (f", {rate:.0%} of offers" if rate is not None else "")
                + ")"
                for h, sales, rate in c.best_hours
            )
        else:
            lines[-1] += "no sale yet"
        if c.busiest_hours:
            lines[-1] += ". Most active: " + ", ".join(f"{h:02d}:00" for h, _ in c.busiest_hours)
        lines[-1] += "."
        lines += ["", "**Price points that sold.** "]
        if c.sold_prices:
            lines[-1] += "; ".join(
                f"${p:,.2f} ({_n(sales, 'sale')}, {rate:.0%} of offers)" for p, sales, rate in c.sold_prices
            )
        else:
            lines[-1] += "none yet"
        lines[-1] += "."
        lines += ["", "**Purchase triggers.** "]
        if c.top_terms:
            lines[-1] += (
                "these fans talk about " + ", ".join(f"'{t}'" for t in c.top_terms) + " more than others"
            )
        else:
            lines[-1] += "no distinctive words"
        if c.median_rows_to_first_sale is not None:
            lines[-1] += (
                f"; the first sale comes after a median of {c.median_rows_to_first_sale:g} messages in the chat"
            )
        lines[-1] += "."
        lines += ["", "**Introductions.** "]
        if c.introductions:
            lines[-1] += (
                "to another creator, for the fans who talk to one only: "
                + "; ".join(
                    f"{creator} (first choice for {_n(fans, 'fan')}, ${value:,.2f} per introduction)"
                    for creator, fans, value in c.introductions
                )
                + " (estimated from similar fans who chose that creator: an upper guide)"
            )
        else:
            lines[-1] += "none (no fan of this cluster has a candidate in fan_cross_sell)"
        lines[-1] += "."
        lines += ["", "**Red flags.**"]
        lines += [f"- {f}" for f in c.red_flags] or ["- none in the data"]
    return "\n".join(lines) + "\n"


# ---- data and plots ----------------------------------------------------------------------------


# the models the report reads, by layer: their schemas are found by suffix (sendwise.schemas), so a
# profile's own schema prefix (analytics_marts, ...) works as well as the default sendwise_
REPORT_INPUTS = {
    "fan_cluster_metrics": "marts",
    "fan_cluster_summary": "marts",
    "fan_model_pairs": "marts",
    "fan_cross_sell": "marts",
    "fan_clusters": "ml",
    "int_fan_chat_messages": "intermediate",
}


def report_relations(con, db: object = "the database") -> dict[str, str]:
    """{model: '"schema"."model"'} of REPORT_INPUTS; UserError naming the missing ones."""
    return require(con, REPORT_INPUTS, db)


def load_metrics(con, relations: dict[str, str] | None = None) -> pd.DataFrame:
    relations = relations or report_relations(con)
    return con.sql(f"select * from {relations['fan_cluster_metrics']}").df()


def load_playbooks(
    con, method: str, relations: dict[str, str] | None = None
) -> tuple[list[ClusterPlaybook], pd.DataFrame]:
    """The playbook of every cluster of `method` (cluster order) and the plotted points."""
    relations = relations or report_relations(con)
    summary = con.execute(
        f"select * from {relations['fan_cluster_summary']} where method = ? order by cluster_id", [method]
    ).df()
    hours = con.execute(
        f"""
        select clusters.cluster_id, messages.local_hour,
            count(case when messages.is_offer then 1 end) as offers,
            count(case when messages.is_purchase then 1 end) as purchases,
            count(case when messages.fan_message_kind <> 'empty' then 1 end) as fan_rows
        from {relations["int_fan_chat_messages"]} as messages
        inner join {relations["fan_clusters"]} as clusters on messages.fan_model_key = clusters.fan_model_key
        where clusters.method = ? and messages.local_hour is not null
        group by 1, 2
        """,
        [method],
    ).df()
    prices = con.execute(
        f"""
        select clusters.cluster_id, messages.price,
            count(*) as offers, count(case when messages.is_purchase then 1 end) as purchases
        from {relations["int_fan_chat_messages"]} as messages
        inner join {relations["fan_clusters"]} as clusters on messages.fan_model_key = clusters.fan_model_key
        where clusters.method = ? and messages.is_offer
        group by 1, 2
        """,
        [method],
    ).df()
    candidates = con.execute(
        f"""
        select clusters.cluster_id, cross_sell.candidate_page_key, count(*) as fans,
            avg(cross_sell.value_per_introduction) as mean_value
        from {relations["fan_cross_sell"]} as cross_sell
        inner join {relations["fan_clusters"]} as clusters on cross_sell.fan_model_key = clusters.fan_model_key
        where clusters.method = ? and cross_sell.candidate_rank = 1
        group by 1, 2
        """,
        [method],
    ).df()
    points = con.execute(
        f"""
        select clusters.fan_model_key, clusters.cluster_id, clusters.plot_x, clusters.plot_y, clusters.plot_z,
            pairs.revenue, pairs.purchases, pairs.messages_before_first_purchase
        from {relations["fan_clusters"]} as clusters
        inner join {relations["fan_model_pairs"]} as pairs on clusters.fan_model_key = pairs.fan_model_key
        where clusters.method = ?
        order by clusters.fan_model_key
        """,
        [method],
    ).df()
    offers, purchases = summary["offers"].sum(), summary["purchases"].sum()
    overall_rate = purchases / offers if offers else None
    overall_active = float((summary["active_share"] * summary["pairs"]).sum() / summary["pairs"].sum())
    playbooks = []
    for row in summary.itertuples():
        cid = int(row.cluster_id)
        sold, unsold = price_points(prices[prices["cluster_id"] == cid])
        first_sale = points.loc[points["cluster_id"] == cid, "messages_before_first_purchase"].dropna()
        c = ClusterPlaybook(
            cluster_id=cid,
            name=str(row.cluster_name),
            pairs=int(row.pairs),
            revenue=float(row.revenue),
            revenue_per_pair=float(row.revenue_per_pair),
            purchase_rate=None if pd.isna(row.purchase_rate) else float(row.purchase_rate),
            buyer_share=float(row.buyer_share),
            active_share=float(row.active_share),
            top_terms=[t for t in str(row.top_terms or "").split(", ") if t],
            best_hours=best_hours(hours[hours["cluster_id"] == cid]),
            busiest_hours=busiest_hours(hours[hours["cluster_id"] == cid]),
            sold_prices=sold,
            unsold_prices=unsold,
            median_rows_to_first_sale=float(first_sale.median()) if len(first_sale) else None,
            introductions=introductions(candidates[candidates["cluster_id"] == cid]),
        )
        c.red_flags = red_flags(c, overall_rate, overall_active)
        playbooks.append(c)
    names = {c.cluster_id: c.name for c in playbooks}
    points["cluster_name"] = points["cluster_id"].map(names)
    return playbooks, points


def plot_2d(points: pd.DataFrame, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.colors import SymLogNorm

    fig, ax = plt.subplots(figsize=(10, 7), dpi=110)
    order = points.sort_values("revenue")  # big spenders drawn on top
    scatter = ax.scatter(
        order["plot_x"],
        order["plot_y"],
        c=order["revenue"],
        cmap="viridis",
        norm=SymLogNorm(linthresh=1.0, vmin=0, vmax=max(float(order["revenue"].max()), 1.0)),
        s=14,
        alpha=0.8,
        edgecolors="none",
    )
    for cid, group in points.groupby("cluster_id"):
        ax.annotate(
            f"{cid}: {group['cluster_name'].iloc[0]}",
            (float(np.median(group["plot_x"])), float(np.median(group["plot_y"]))),
            fontsize=8,
            ha="center",
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "alpha": 0.75, "lw": 0},
        )
    fig.colorbar(scatter, ax=ax, label="revenue per fan-model pair ($, symlog)")
    ax.set_xlabel("PCA 1")
    ax.set_ylabel("PCA 2")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def plot_3d(points: pd.DataFrame, path: Path, title: str) -> None:
    import numpy as np
    import plotly.graph_objects as go

    figure = go.Figure(
        go.Scatter3d(
            x=points["plot_x"],
            y=points["plot_y"],
            z=points["plot_z"],
            mode="markers",
            marker={
                "size": 3,
                "color": np.log1p(points["revenue"].clip(lower=0)),
                "colorscale": "Viridis",
                "colorbar": {"title": "log(1 + revenue $)"},
                "opacity": 0.85,
            },
            customdata=np.stack(
                [points["fan_model_key"], points["cluster_id"], points["cluster_name"], points["revenue"]],
                axis=1,
            ),
            hovertemplate="%{customdata[0]}<br>cluster %{customdata[1]}: %{customdata[2]}"
            "<br>revenue $%{customdata[3]:,.2f}<extra></extra>",
        )
    )
    figure.update_layout(
        title=title, scene={"xaxis_title": "PCA 1", "yaxis_title": "PCA 2", "zaxis_title": "PCA 3"}
    )
    figure.write_html(str(path), include_plotlyjs=True, full_html=True)


def make_report(
    con, out: Path, requested_method: str = "best", relations: dict[str, str] | None = None
) -> dict[str, Path]:
    """Write the playbook and plots into `out`; returns the written paths."""
    relations = relations or report_relations(con)
    metrics = load_metrics(con, relations)
    method = choose_method(metrics, requested_method)
    playbooks, points = load_playbooks(con, method, relations)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "playbook": out / "playbook.md",
        "plot_2d": out / "fan_clusters_2d.png",
        "plot_3d": out / "fan_clusters_3d.html",
    }
    paths["playbook"].write_text(write_playbook(playbooks, method, metrics), encoding="utf-8")
    title = f"Fan-model pairs, method {method}, coloured by revenue ({len(points):,} pairs)"
    plot_2d(points, paths["plot_2d"], title)
    plot_3d(points, paths["plot_3d"], title)
    return paths


def run(args: argparse.Namespace) -> int:
    out = check_out_dir(Path(args.out))
    db = duckdb_path(args.db)
    if not db.exists():
        raise UserError(f"no database at {db}: run `make demo` first")
    con = connect(db, read_only=True)
    try:
        paths = make_report(con, out, args.method, report_relations(con, db))
    finally:
        con.close()
    for kind, path in paths.items():
        print(f"{kind}: {path}")
    return 0
