"""Make Pagefind's output byte-for-byte reproducible.

Pagefind writes a filter's values, and the list of filters, in hash-map order, so two
indexings of the same site differ. Its files are small CBOR documents behind a
`pagefind_dcd` signature, gzipped, named by content hash. This module sorts those lists,
re-encodes, renames the changed files by a hash of their new bytes, and updates the
references to them (filters from the meta file, the meta file from the entry file).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

SIGNATURE = b"pagefind_dcd"


class _Reader:
    """The subset of CBOR that Pagefind writes: integers, strings, byte strings, arrays, maps."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def _argument(self, info: int) -> int:
        if info < 24:
            return info
        size = {24: 1, 25: 2, 26: 4, 27: 8}[info]
        value = int.from_bytes(self.data[self.pos : self.pos + size], "big")
        self.pos += size
        return value

    def item(self) -> Any:
        initial = self.data[self.pos]
        self.pos += 1
        major, info = initial >> 5, initial & 0x1F
        value = self._argument(info)
        if major == 0:
            return value
        if major == 1:
            return -1 - value
        if major in (2, 3):
            raw = self.data[self.pos : self.pos + value]
            self.pos += value
            return raw if major == 2 else raw.decode("utf-8")
        if major == 4:
            return [self.item() for _ in range(value)]
        if major == 5:
            return {self.item(): self.item() for _ in range(value)}
        raise ValueError(f"unsupported CBOR major type {major}")


def _head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < 1 << (8 * size):
            return bytes([major << 5 | info]) + value.to_bytes(size, "big")
    raise ValueError("integer too large for CBOR")


def _encode(value: Any) -> bytes:
    if isinstance(value, bool) or value is None:
        raise ValueError("unsupported CBOR value")
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _head(3, len(raw)) + raw
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(_encode(item) for item in value)
    if isinstance(value, dict):
        return _head(5, len(value)) + b"".join(_encode(k) + _encode(v) for k, v in value.items())
    raise ValueError(f"unsupported CBOR value {type(value).__name__}")


def _read(path: Path) -> Any:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise ValueError(f"{path.name} is not a Pagefind file")
    return _Reader(data[len(SIGNATURE) :]).item()


def _write(folder: Path, prefix: str, suffix: str, digits: int, value: Any) -> str:
    """Write `value` under a name derived from its bytes; returns the hash part of the name."""
    data = gzip.compress(SIGNATURE + _encode(value), compresslevel=9, mtime=0)
    name = f"{prefix}{hashlib.sha256(data).hexdigest()[:digits]}"
    (folder / f"{suffix.format(name)}").write_bytes(data)
    return name


def make_reproducible(bundle: Path) -> None:
    """Sort the hash-ordered lists in a Pagefind bundle, in place."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, info in entry["languages"].items():
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = _read(meta_path)
        filters = meta[3]
        renamed = []
        for name, file_hash in filters:
            filter_path = bundle / "filter" / f"{file_hash}.pf_filter"
            filter_name, values = _read(filter_path)
            values = sorted(values, key=lambda pair: pair[0])
            new_hash = _write(bundle / "filter", f"{language}_", "{}.pf_filter", 7, [filter_name, values])
            if new_hash != file_hash:
                filter_path.unlink()
            renamed.append([name, new_hash])
        meta[3] = sorted(renamed, key=lambda pair: pair[0])
        meta[4] = sorted(meta[4], key=lambda pair: pair[0])
        meta[5] = sorted(meta[5])
        new_meta = _write(bundle, f"{language}_", "pagefind.{}.pf_meta", 10, meta)
        if new_meta != info["hash"]:
            meta_path.unlink()
        info["hash"] = new_meta
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
