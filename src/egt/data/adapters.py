"""Real sources -> the pipeline's pair schema, read as each source is published.

An :class:`Adapter` names the files of a source's published layout, where its images live, and
how one record becomes a preference pair (or why it cannot). :func:`adapt_source` streams the
records batch by batch into a pairs parquet file, and lists every record it skips with the file,
row and reason: records in = pairs out + skipped, always.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from egt.data.records import SourceError, iter_record_batches, matching_files, unique_ids
from egt.schemas import SKIPPED_SCHEMA, SOURCE_PAIR_SCHEMA


@dataclass
class Context:
    """What a converter may use besides the record: image folders and the options of the source."""

    roots: list[Path]
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Adapter:
    name: str
    files: tuple[str, ...]  # globs of the record files, relative to the source folder
    image_root: str  # where relative image paths are resolved, relative to the folder ("" = the folder)
    allow_patterns: tuple[str, ...]  # what a Hub download fetches
    record_id: Callable[[dict, int], str]  # the source's own id of a record (row index as a fallback)
    convert: Callable[[dict, Context], dict | str]  # a pair (without pair_id/source_id) or a skip reason
    columns: tuple[str, ...] | None = None  # parquet columns to read (None: all)
    source: str = ""  # where the layout facts come from (repository @ commit, path)
    expects: str = ""  # what a local folder must hold, in a user's words


def pair_row(image: bytes, question: str, first: str, second: str, label: int, category: str, group=None) -> dict:
    """A converter's pair (without pair_id/source_id): the fields every reader fills."""
    return {
        "image": image,
        "question": question,
        "response_1": first,
        "response_2": second,
        "label": label,
        "category": category,
        "group": group,
    }


def adapt_source(folder: str | Path, spec: dict, adapter: Adapter, pairs_out: str | Path) -> pl.DataFrame:
    """Write the pairs of the source in ``folder`` to ``pairs_out``; return the skipped records.

    ``spec`` is the dataset's config (``files``, ``image_root`` and source options override the
    adapter's published defaults). Raises :class:`SourceError` naming the folder when no file
    matches or no record comes out.
    """
    folder = Path(folder)
    files = matching_files(folder, list(spec.get("files") or adapter.files))
    root = spec.get("image_root", adapter.image_root)
    roots = [folder / root, folder] if root else [folder]
    context = Context(roots=roots, options=spec)
    skipped, seen, index = [], {}, 0
    pairs_out = Path(pairs_out)
    tmp = pairs_out.with_name(f".{pairs_out.name}.tmp-{os.getpid()}")
    pairs_out.parent.mkdir(parents=True, exist_ok=True)
    writer = pq.ParquetWriter(tmp, pl.DataFrame(schema=SOURCE_PAIR_SCHEMA).to_arrow().schema)
    try:
        for path in files:
            row = 0
            for batch in iter_record_batches([path], list(adapter.columns) if adapter.columns else None):
                ids = unique_ids([adapter.record_id(record, index + i) for i, record in enumerate(batch)], seen)
                rows = []
                for pair_id, record in zip(ids, batch, strict=True):
                    result = _convert(adapter, record, context)
                    if isinstance(result, str):
                        skipped.append(
                            {"source_id": pair_id, "file": str(path.relative_to(folder)), "row": row, "reason": result}
                        )
                    else:
                        rows.append(
                            {
                                **result,
                                "pair_id": pair_id,
                                "source_id": pair_id,
                                "source_row": index,
                                "group": result.get("group") or pair_id,
                            }
                        )
                    row, index = row + 1, index + 1
                if rows:
                    writer.write_table(pl.DataFrame(rows, schema=SOURCE_PAIR_SCHEMA).to_arrow())
        writer.close()
    except BaseException:
        writer.close()
        tmp.unlink(missing_ok=True)
        raise
    if index == 0:
        tmp.unlink(missing_ok=True)
        raise SourceError(f"{folder}: {', '.join(map(str, files))} hold no records")
    tmp.replace(pairs_out)
    return pl.DataFrame(skipped, schema=SKIPPED_SCHEMA)


def _convert(adapter: Adapter, record: dict, context: Context) -> dict | str:
    try:
        return adapter.convert(record, context)
    except (KeyError, TypeError, ValueError, IndexError) as error:  # a record missing a field of the layout
        return f"unreadable record ({type(error).__name__}: {error})"
