"""Records of a source folder, read from the files its published layout names, batch by batch.

An adapter names its files with globs relative to the folder (``data/train-*.parquet``,
``mm_reward_bench.jsonl``, ``data/all_data.json``); nothing else in the folder is read, so a
second copy of the same records, prediction files or a download cache never leak in. Parquet is
read in row batches (pyarrow), so a multi-GB source never sits in memory at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq

BATCH_ROWS = 256


class SourceError(ValueError):
    pass


def matching_files(folder: str | Path, patterns: list[str]) -> list[Path]:
    """Files under ``folder`` matching any glob, sorted; hidden folders (a download cache) are never read."""
    folder = Path(folder)
    if not folder.is_dir():
        raise SourceError(f"{folder}: no such folder (expected the source's published layout)")
    found = {
        path
        for pattern in patterns
        for path in folder.glob(pattern)
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    }
    if not found:
        raise SourceError(f"{folder}: no file matches {', '.join(patterns)}")
    return sorted(found)


def iter_record_batches(files: list[Path], columns: list[str] | None = None) -> Iterator[list[dict]]:
    """Lists of records, file after file: a JSON list, JSON lines, or parquet row batches."""
    for path in files:
        if path.suffix == ".parquet":
            parquet = pq.ParquetFile(path)
            names = [c for c in columns if c in parquet.schema_arrow.names] if columns else None
            for batch in parquet.iter_batches(batch_size=BATCH_ROWS, columns=names):
                yield batch.to_pylist()
        elif path.suffix == ".jsonl":
            batch = []
            with open(path, encoding="utf-8") as lines:
                for number, line in enumerate(lines, 1):
                    if line.strip():
                        batch.append(_json(line, path, number))
                    if len(batch) == BATCH_ROWS:
                        yield batch
                        batch = []
            if batch:
                yield batch
        elif path.suffix == ".json":
            data = _json(path.read_text(encoding="utf-8"), path, None)
            if not isinstance(data, list):
                raise SourceError(f"{path}: expected a JSON list of records, got {type(data).__name__}")
            for start in range(0, len(data), BATCH_ROWS):
                yield data[start : start + BATCH_ROWS]
        else:
            raise SourceError(f"{path}: not a .json, .jsonl or .parquet file")


def _json(text: str, path: Path, line: int | None):
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        where = f"{path}:{line}" if line else str(path)
        raise SourceError(f"{where}: not valid JSON ({error.msg} at column {error.colno})") from None


def unique_ids(ids, seen: dict[str, int]) -> list[str]:
    """Ids that occur more than once (VL-RewardBench has 25) get a #2, #3 … suffix; ``seen`` spans batches."""
    out = []
    for source_id in ids:
        seen[source_id] = seen.get(source_id, 0) + 1
        out.append(source_id if seen[source_id] == 1 else f"{source_id}#{seen[source_id]}")
    return out
