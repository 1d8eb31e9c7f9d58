"""Content fingerprints: what a checkpoint or a cache was made from.

A resumable job (training, evaluation, teacher traces) stores a fingerprint beside its partial
work and reuses that work only when the fingerprint matches. Fingerprints are taken on content,
never on row counts or modification times: same-size data that differs, or a model folder copied
with new mtimes, is told apart correctly.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only a frame's own methods are called: no polars needed to import this module
    import polars as pl

_BLOCK = 1 << 20


def sha256_file(path: str | Path) -> str:
    """sha256 of a file, streamed in 1 MiB blocks (a 15 GB safetensors file never sits in memory)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def path_digest(path: str | Path) -> str | dict[str, str]:
    """``size:sha256`` of a file; of every file under a folder (by relative path); ``id:…`` for a
    name that is not a local path (a Hub id)."""
    path = Path(path)
    if path.is_file():
        return f"{path.stat().st_size}:{sha256_file(path)}"
    if path.is_dir():
        return {
            str(p.relative_to(path)): f"{p.stat().st_size}:{sha256_file(p)}"
            for p in sorted(path.rglob("*"))
            if p.is_file() and not p.name.startswith(".")
        }
    return f"id:{path}"


def frame_digest(frame: pl.DataFrame) -> str:
    """sha256 over the column names, types and a 64-bit hash of every row, in order.

    Row hashes use a fixed seed, so the digest is the same in every process with the pinned polars.
    """
    digest = hashlib.sha256(json.dumps([[c, str(t)] for c, t in frame.schema.items()]).encode())
    digest.update(frame.hash_rows(seed=0).to_numpy().tobytes())
    return digest.hexdigest()


def fingerprint(**parts) -> str:
    """One hex digest of JSON-able parts (parameters, seeds, digests)."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


MARKER = "fingerprint.json"


def claim_folder(folder: str | Path, digest: str) -> bool:
    """Make ``folder`` the work folder of the job with fingerprint ``digest``.

    Work left there by a job with another fingerprint (other parameters, data or model) is
    removed. Returns True when earlier work of the same job is there to be reused.
    """
    folder = Path(folder)
    marker = folder / MARKER
    reusable = marker.is_file() and json.loads(marker.read_text()) == digest
    if folder.exists() and not reusable:
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps(digest))
    return reusable
