"""Downloads from the Hugging Face Hub at a pinned revision, with a manifest of what was fetched.

The same function serves online runs, offline reruns and air-gapped clusters: with
``HF_HUB_OFFLINE=1`` (or ``offline=True``) ``snapshot_download`` reads the filled local cache and
fails clearly when a file is missing; with a ``mirror`` folder (config ``data.hub_mirror``, laid
out as ``<mirror>/<org>/<name>/…``) the files are copied from there with the same
``allow_patterns`` filter, so a download never fetches more than the adapter reads.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from egt.provenance.fingerprint import sha256_file


class DownloadError(RuntimeError):
    pass


def download_snapshot(
    repo_id: str,
    revision: str,
    repo_type: str,
    local_dir: str | Path,
    allow_patterns: list[str] | None = None,
    offline: bool | None = None,
    mirror: str | Path | None = None,
) -> dict:
    """Fetch ``repo_id@revision`` into ``local_dir``; returns its manifest (never includes a token)."""
    if mirror:
        return copy_from_mirror(repo_id, revision, repo_type, local_dir, allow_patterns, Path(mirror))
    from huggingface_hub import snapshot_download

    offline = offline if offline is not None else os.environ.get("HF_HUB_OFFLINE") == "1"
    try:
        path = snapshot_download(
            repo_id=repo_id,
            revision=revision,
            repo_type=repo_type,
            local_dir=str(local_dir),
            allow_patterns=allow_patterns,
            local_files_only=offline,
        )
    except Exception as error:  # huggingface_hub raises many types (offline, 404, network); name the repo once
        mode = "offline, from the local cache" if offline else "from the Hub"
        raise DownloadError(f"{repo_type} {repo_id}@{revision} could not be fetched {mode}: {error}") from None
    return folder_manifest(repo_id, revision, repo_type, path)


def copy_from_mirror(
    repo_id: str, revision: str, repo_type: str, local_dir: str | Path, allow_patterns, mirror: Path
) -> dict:
    """The Hub download's result from a local mirror of the repository (``<mirror>/<repo_id>``)."""
    from huggingface_hub.utils import filter_repo_objects

    source = mirror / repo_id
    if not source.is_dir():
        raise DownloadError(f"{repo_type} {repo_id}: not in the mirror {mirror} (expected {source})")
    files = sorted(str(p.relative_to(source)) for p in source.rglob("*") if p.is_file())
    chosen = list(filter_repo_objects(files, allow_patterns=allow_patterns))
    if not chosen:
        raise DownloadError(f"{repo_type} {repo_id}: nothing in {source} matches {allow_patterns}")
    for relative in chosen:
        target = Path(local_dir) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / relative, target)
    return folder_manifest(repo_id, revision, repo_type, local_dir)


def folder_manifest(repo_id: str, revision: str, repo_type: str, folder: str | Path) -> dict:
    folder = Path(folder)
    files = sorted(p for p in folder.rglob("*") if p.is_file() and ".cache" not in p.relative_to(folder).parts)
    return {
        "repo_id": repo_id,
        "repo_type": repo_type,
        "revision": revision,
        "files": [
            {"path": str(p.relative_to(folder)), "size": p.stat().st_size, "sha256": sha256_file(p)} for p in files
        ],
    }
