"""Small self-contained HTML tables for the Snakemake report."""

from __future__ import annotations

import html

import yaml

from egt.benchmarks import official_headline

_STYLE = (
    "<style>body{font-family:sans-serif;font-size:14px}table{border-collapse:collapse;margin:8px 0}"
    "th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f0f0f0}"
    "td:first-child,th:first-child{text-align:left}pre{background:#f7f7f7;padding:8px}</style>"
)

EVAL_COLUMNS = [
    ("accuracy", "accuracy (both orders pooled)"),
    ("accuracy_original", "accuracy, original order"),
    ("accuracy_swapped", "accuracy, swapped order"),
    ("accuracy_both_orders", "right in both orders"),
    ("position_consistency", "position consistency"),
    ("macro_accuracy", "macro accuracy (categories)"),
    ("acc_plus", "Acc+ (whole groups right)"),
    ("format_rate", "format rate"),
    ("unparseable_rate", "unparseable rate"),
    ("pairs", "pairs"),
]


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return html.escape(str(value))


def _page(title: str, body: str) -> str:
    head = f"<meta charset='utf-8'><title>{html.escape(title)}</title>{_STYLE}"
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>\n"


def evaluation_html(metrics: dict[str, dict[str, dict]]) -> str:
    """``metrics[model][benchmark]`` -> one table row per model and benchmark."""
    head = "".join(f"<th>{html.escape(label)}</th>" for _, label in EVAL_COLUMNS)
    rows = []
    for model, benchmarks in metrics.items():
        for benchmark, m in benchmarks.items():
            cells = "".join(f"<td>{_cell(m.get(key, ''))}</td>" for key, _ in EVAL_COLUMNS)
            rows.append(f"<tr><td>{html.escape(model)}</td><td>{html.escape(benchmark)}</td>{cells}</tr>")
    table = f"<table><tr><th>model</th><th>benchmark</th>{head}</tr>{''.join(rows)}</table>"
    official = "".join(
        f"<tr><td>{html.escape(model)}</td><td>{html.escape(benchmark)}</td>"
        f"<td>{html.escape(official_headline(m['official']))}</td></tr>"
        for model, benchmarks in metrics.items()
        for benchmark, m in benchmarks.items()
        if "official" in m
    )
    body = (
        f"<h3>egt's debiased metrics: each pair judged in both presentation orders</h3>{table}"
        "<h3>Official protocol: R1-Reward's setting, each benchmark's own scorer</h3>"
        f"<table><tr><th>model</th><th>benchmark</th><th>official metrics</th></tr>{official}</table>"
    )
    return _page("Evaluation", body)


def run_info_html(config: dict, versions: dict[str, str], commit: str | None) -> str:
    rows = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>" for k, v in versions.items())
    body = (
        f"<h3>Code</h3><p>git commit: {html.escape(commit or 'unknown')}</p>"
        f"<h3>Package versions</h3><table><tr><th>package</th><th>version</th></tr>{rows}</table>"
        f"<h3>Configuration</h3><pre>{html.escape(yaml.safe_dump(config, sort_keys=False))}</pre>"
    )
    return _page("Run information", body)


def markdown_html(title: str, markdown: str) -> str:
    """The subset of markdown our tables use (headings, pipe tables, paragraphs) as an HTML page."""
    body, table = [], []

    def cells(row: str, tag: str) -> str:
        return "".join(f"<{tag}>{html.escape(c.strip())}</{tag}>" for c in row.strip().strip("|").split("|"))

    def flush_table():
        if table:
            head, rows = table[0], table[2:]  # table[1] is the |---| alignment row
            body.append(
                f"<table><tr>{cells(head, 'th')}</tr>"
                + "".join(f"<tr>{cells(row, 'td')}</tr>" for row in rows)
                + "</table>"
            )
            table.clear()

    for line in markdown.splitlines():
        if line.startswith("|"):
            table.append(line)
            continue
        flush_table()
        if line.startswith("#"):
            level = min(len(line) - len(line.lstrip("#")) + 1, 6)
            body.append(f"<h{level}>{html.escape(line.lstrip('#').strip())}</h{level}>")
        elif line.strip():
            body.append(f"<p>{html.escape(line)}</p>")
    flush_table()
    return _page(title, "".join(body))
