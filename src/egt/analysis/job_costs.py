"""Per-job wall time and peak memory, read from the rules' `benchmark:` files (by rule group)."""

from __future__ import annotations

from pathlib import Path

import polars as pl


def collect_job_costs(benchmark_dir: str | Path) -> pl.DataFrame:
    """One row per job: rule group (its folder), job name, wall seconds, max RSS (MB), CPU seconds."""
    rows = []
    for path in sorted(Path(benchmark_dir).glob("*/*.tsv")):
        table = pl.read_csv(path, separator="\t", null_values=["NA", "-"])
        last = table.row(-1, named=True)  # a rule run several times appends rows; the last is current
        rows.append(
            {
                "rule_group": path.parent.name,
                "job": path.stem,
                "wall_s": float(last["s"]),
                "max_rss_mb": float(last["max_rss"]) if last.get("max_rss") is not None else None,
                "cpu_s": float(last["cpu_time"]) if last.get("cpu_time") is not None else None,
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "rule_group": pl.String,
            "job": pl.String,
            "wall_s": pl.Float64,
            "max_rss_mb": pl.Float64,
            "cpu_s": pl.Float64,
        },
    )


def job_costs_markdown(costs: pl.DataFrame) -> str:
    lines = [
        "| rule group | job | wall time (s) | peak RSS (MB) | CPU time (s) |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for r in costs.iter_rows(named=True):
        lines.append(
            f"| {r['rule_group']} | {r['job']} | {r['wall_s']:.1f} | {r['max_rss_mb'] or 0:.0f} "
            f"| {r['cpu_s'] or 0:.1f} |"
        )
    wall, peak, cpu = costs["wall_s"].sum(), costs["max_rss_mb"].max() or 0, costs["cpu_s"].sum()
    lines.append(f"| **all jobs** | | {wall:.1f} | {peak:.0f} (max) | {cpu:.1f} |")
    return "\n".join(lines) + "\n"
