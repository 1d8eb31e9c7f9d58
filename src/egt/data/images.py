"""Images as the published datasets store them, decided per value.

A record's image may be raw bytes, a Hub ``{bytes, path}`` struct, a base64 string (with or
without a ``data:image/...;base64,`` prefix) or a path to resolve under an image folder. Every
decoder returns the encoded image bytes, or None with the reason, so an adapter can skip the
record and say why.
"""

from __future__ import annotations

import base64
import binascii
import re
from pathlib import Path

# Leading bytes of the encodings the Qwen2.5-VL processor reads through PIL.
MAGIC = {
    b"\xff\xd8\xff": "jpeg",
    b"\x89PNG\r\n\x1a\n": "png",
    b"GIF87a": "gif",
    b"GIF89a": "gif",
    b"BM": "bmp",
}
_DATA_URL = re.compile(r"^data:image/[A-Za-z0-9.+-]+;base64,", re.I)
_BASE64 = re.compile(r"^[A-Za-z0-9+/\s]+={0,2}\s*$")


def image_format(data: bytes) -> str | None:
    """The encoding of ``data`` by its leading bytes (WebP: RIFF....WEBP), or None."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return next((name for magic, name in MAGIC.items() if data.startswith(magic)), None)


def from_base64(text: str) -> bytes | None:
    """The image encoded in a base64 string or data URL, or None when it is not one."""
    body = _DATA_URL.sub("", text.strip(), count=1)
    if len(body) < 16 or not _BASE64.match(body[:4096]):
        return None
    try:
        data = base64.b64decode(body, validate=False)
    except (binascii.Error, ValueError):
        return None
    return data if image_format(data) else None


def resolve_path(value: str, roots: list[Path]) -> Path | None:
    """The first existing file for a relative path under ``roots`` (absolute paths are tried as given)."""
    path = Path(value)
    if path.is_absolute():
        return path if path.is_file() else None
    return next((root / path for root in roots if (root / path).is_file()), None)


def decode_image(value, roots: list[Path]) -> tuple[bytes | None, str | None]:
    """(image bytes, None) or (None, why not) for one record's image value."""
    if value is None:
        return None, "no image in the record"
    if isinstance(value, dict):  # a Hub Image feature: {"bytes": ..., "path": ...}
        if value.get("bytes"):
            return decode_image(bytes(value["bytes"]), roots)
        return decode_image(value.get("path"), roots) if value.get("path") else (None, "empty image struct")
    if isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
        return (data, None) if image_format(data) else (None, "image bytes in no known format")
    if isinstance(value, str):
        if not value.strip():
            return None, "empty image value"
        data = from_base64(value)
        if data is not None:
            return data, None
        found = resolve_path(value, roots)
        if found is None:
            return None, f"missing image {value}"
        data = found.read_bytes()
        return (data, None) if image_format(data) else (None, f"unreadable image {value}")
    return None, f"image value of type {type(value).__name__}"


def open_image(data: bytes):
    """Encoded image bytes as an RGB PIL image (what the processors take)."""
    import io

    from PIL import Image

    return Image.open(io.BytesIO(data)).convert("RGB")
