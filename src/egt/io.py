"""Typed step hand-offs: parquet and JSON, written atomically, read with a schema check."""

from __future__ import annotations

import atexit
import json
import os
import sys
from datetime import datetime
from pathlib import Path

import polars as pl


class SchemaError(ValueError):
    pass


def _atomic_target(path: str | Path) -> tuple[Path, Path]:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path, path.with_name(f".{path.name}.tmp-{os.getpid()}")


def write_parquet(frame: pl.DataFrame, path: str | Path) -> None:
    """Write to a temporary file and rename, so a killed job never leaves a partial file."""
    path, tmp = _atomic_target(path)
    frame.write_parquet(tmp)
    tmp.replace(path)


def write_json(data, path: str | Path) -> None:
    path, tmp = _atomic_target(path)
    tmp.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n")
    tmp.replace(path)


def write_text(text: str, path: str | Path) -> None:
    path, tmp = _atomic_target(path)
    tmp.write_text(text)
    tmp.replace(path)


def read_json(path: str | Path):
    return json.loads(Path(path).read_text())


def check_schema(schema: pl.Schema | dict, required: dict, path: str | Path) -> None:
    """Raise SchemaError naming the file and column when ``required`` columns are missing or mistyped."""
    for column, dtype in required.items():
        if column not in schema:
            raise SchemaError(f"{path}: missing column {column!r} (has {', '.join(schema)})")
        if dtype is not None and schema[column] != dtype:
            raise SchemaError(f"{path}: column {column!r} has type {schema[column]}, expected {dtype}")


def check_file_schema(path: str | Path, required: dict) -> None:
    """Raise SchemaError naming the file when it is not readable parquet or lacks a required column."""
    try:
        schema = pl.read_parquet_schema(path)
    except Exception as error:  # polars raises several types for unreadable files
        raise SchemaError(f"{path}: not a readable parquet file ({error})") from None
    check_schema(schema, required, path)


def scan_parquet(paths: str | Path | list, required: dict) -> pl.LazyFrame:
    """Lazily scan one or more parquet files after checking each one's schema."""
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    for path in paths:
        check_file_schema(path, required)
    return pl.scan_parquet([str(p) for p in paths])


def read_parquet(paths: str | Path | list, required: dict) -> pl.DataFrame:
    return scan_parquet(paths, required).collect()


def redirect_output(log_path: str | Path) -> None:
    """Send this process's stdout and stderr (progress bars included) to a rule's log file.

    The log is appended to, so a job rerun after a kill keeps the earlier attempt's lines.
    """
    Path(log_path).parent.mkdir(parents=True, exist_ok=True)
    stream = open(log_path, "a", buffering=1)  # noqa: SIM115 - lives as long as the process
    where = {k: os.environ[k] for k in ("SLURM_JOB_ID", "CUDA_VISIBLE_DEVICES") if k in os.environ}
    stream.write(f"=== {datetime.now().isoformat(timespec='seconds')} pid {os.getpid()} {where} ===\n")
    os.dup2(stream.fileno(), sys.stdout.fileno())
    os.dup2(stream.fileno(), sys.stderr.fileno())
    if "torch" in sys.modules:  # what decides this job's numbers, for the manifest (egt.numerics)
        from egt.numerics import log_line

        print(log_line(), flush=True)
    atexit.register(report_gpu_memory)


def report_gpu_memory() -> None:
    """At exit, the job's peak GPU memory, for tools/gpu-check.sh (nothing on a CPU job)."""
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available() and torch.cuda.max_memory_allocated():
        print(f"peak GPU memory {torch.cuda.max_memory_allocated() // 2**20} MB", flush=True)
