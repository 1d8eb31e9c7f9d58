"""Downloads from the Hugging Face Hub at a pinned revision, with a manifest of what was fetched.

The same function serves online runs and offline reruns: with ``HF_HUB_OFFLINE=1`` (or
``offline=True``) ``snapshot_download`` reads the filled local cache and fails clearly when a
file is missing.
"""

from __future__ import annotations

import os
from pathlib import Path

from egt.provenance.fingerprint import sha256_file


def download_snapshot(
    repo_id: str,
    revision: str,
    repo_type: str,
    local_dir: str | Path,
    allow_patterns: list[str] | None = None,
    offline: bool | None = None,
) -> dict:
    """Fetch ``repo_id@revision`` into ``local_dir``; returns its manifest (never includes a token)."""
    from huggingface_hub import snapshot_download

    offline = offline if offline is not None else os.environ.get("HF_HUB_OFFLINE") == "1"
    path = snapshot_download(
        repo_id=repo_id,
        revision=revision,
        repo_type=repo_type,
        local_dir=str(local_dir),
        allow_patterns=allow_patterns,
        local_files_only=offline,
    )
    return folder_manifest(repo_id, revision, repo_type, path)


def folder_manifest(repo_id: str, revision: str, repo_type: str, folder: str | Path) -> dict:
    folder = Path(folder)
    files = sorted(p for p in folder.rglob("*") if p.is_file() and ".cache" not in p.parts)
    return {
        "repo_id": repo_id,
        "repo_type": repo_type,
        "revision": revision,
        "files": [
            {"path": str(p.relative_to(folder)), "size": p.stat().st_size, "sha256": sha256_file(p)} for p in files
        ],
    }
