"""Unwrap encoded payloads (base64, hex, zlib, gzip, bz2, lzma, rot13, URL escapes), layer by layer.

Shared by every analyzer that meets an encoded blob. Bounded: at most `depth` layers and `limit`
bytes of output per blob, so a recursion bomb (base64 of base64 of zlib of …) costs a fixed amount.
Decoding never executes anything.
"""

from __future__ import annotations

import base64
import binascii
import bz2
import codecs
import contextlib
import gzip
import lzma
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote

MAX_DEPTH = 6
MAX_OUTPUT = 1_000_000
_B64 = re.compile(r"^[A-Za-z0-9+/=\s_-]+$")
_HEX = re.compile(r"^(?:0x)?[0-9a-fA-F\s]+$")


@dataclass(frozen=True, slots=True)
class Decoded:
    content: str
    origin: str
    """The chain of encodings peeled off, outermost first: `base64 -> zlib`."""


def decode_step(data: bytes) -> list[tuple[str, bytes]]:
    """Every way `data` decodes one layer deeper, as (encoding, output)."""
    results: list[tuple[str, bytes]] = []
    for name, decoder in _DECOMPRESSORS:
        try:
            out = decoder(data)
        except Exception:
            continue
        if out:
            results.append((name, out[:MAX_OUTPUT]))
            return results  # a compressed stream has one reading
    text = data.strip()
    if len(text) >= 8 and _B64.match(text.decode("latin-1")):
        compact = re.sub(rb"\s+", b"", text)
        for name, decoder in (("base64", base64.b64decode), ("base64url", base64.urlsafe_b64decode)):
            try:
                padded = compact + b"=" * (-len(compact) % 4)
                out = decoder(padded)
            except (binascii.Error, ValueError):
                continue
            if out and len(out) >= 4:
                results.append((name, out[:MAX_OUTPUT]))
                break
    if len(text) >= 8 and _HEX.match(text.decode("latin-1")):
        compact = re.sub(rb"\s+|^0x", b"", text)
        if len(compact) % 2 == 0:
            with contextlib.suppress(binascii.Error, ValueError):
                results.append(("hex", binascii.unhexlify(compact)[:MAX_OUTPUT]))
    return results


def unwrap(data: bytes | str, *, first: str | None = None, depth: int = MAX_DEPTH) -> Decoded | None:
    """Peel encodings off `data` until plausible text remains; None when nothing decodes to text.

    `first` names an encoding the caller already knows (`base64` for `b64decode(...)`).
    """
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    chain: list[str] = []
    if first is not None:
        out = _known(first, raw)
        if out is None:
            return None
        chain.append(first)
        raw = out
    for _ in range(depth):
        if _looks_like_code(raw) and chain:
            break
        steps = decode_step(raw)
        if not steps:
            break
        name, raw = steps[0]
        chain.append(name)
    if not chain or not _looks_like_text(raw):
        return None
    return Decoded(raw.decode("utf-8", errors="replace"), " -> ".join(chain))


def decode_as(name: str, data: bytes) -> bytes | None:
    """Peel exactly one layer named `name` (base64, base64url, base32, base85, ascii85, hex, zlib, gzip,
    bz2, lzma, rot13, url) off `data`; None when `data` is not in that encoding. Bounded like `unwrap`."""
    return _known(name, data)


def encode_as(name: str, data: bytes) -> bytes | None:
    """Apply one encoding layer (the inverse of `decode_as`) to at most MAX_OUTPUT bytes; None for unknown names."""
    if len(data) > MAX_OUTPUT:
        return None
    encoders: dict[str, Callable[[bytes], bytes]] = {
        "base64": base64.b64encode,
        "base64url": base64.urlsafe_b64encode,
        "base32": base64.b32encode,
        "base85": base64.b85encode,
        "ascii85": base64.a85encode,
        "hex": binascii.hexlify,
        "zlib": zlib.compress,
        "gzip": lambda raw: gzip.compress(raw, mtime=0),
        "bz2": bz2.compress,
        "lzma": lzma.compress,
    }
    encoder = encoders.get(name)
    return encoder(data) if encoder is not None else None


def _known(name: str, data: bytes) -> bytes | None:
    try:
        if name == "base85":
            return base64.b85decode(re.sub(rb"\s+", b"", data))[:MAX_OUTPUT]
        if name == "ascii85":
            return base64.a85decode(data)[:MAX_OUTPUT]
        if name in ("base64", "b64"):
            compact = re.sub(rb"\s+", b"", data)
            return base64.b64decode(compact + b"=" * (-len(compact) % 4))[:MAX_OUTPUT]
        if name == "base64url":
            return base64.urlsafe_b64decode(data + b"=" * (-len(data) % 4))[:MAX_OUTPUT]
        if name == "base32":
            return base64.b32decode(data)[:MAX_OUTPUT]
        if name == "hex":
            return binascii.unhexlify(re.sub(rb"\s+", b"", data))[:MAX_OUTPUT]
        if name == "rot13":
            return codecs.decode(data.decode("latin-1"), "rot13").encode()
        if name == "url":
            return unquote(data.decode("latin-1")).encode()
        for known, decoder in _DECOMPRESSORS:
            if known == name:
                return decoder(data)[:MAX_OUTPUT]
    except Exception:
        return None
    return None


def _bounded_zlib(data: bytes, wbits: int) -> bytes:
    decompressor = zlib.decompressobj(wbits)
    out = decompressor.decompress(data, MAX_OUTPUT)
    if not decompressor.eof and not out:
        raise ValueError("not a zlib stream")
    return out


def _bounded_bz2(data: bytes) -> bytes:
    if not data.startswith(b"BZh"):
        raise ValueError("not bz2")
    return bz2.BZ2Decompressor().decompress(data, MAX_OUTPUT)


def _bounded_lzma(data: bytes) -> bytes:
    if not data.startswith(b"\xfd7zXZ"):
        raise ValueError("not xz")
    return lzma.LZMADecompressor().decompress(data, MAX_OUTPUT)


_DECOMPRESSORS = (
    ("zlib", lambda d: _bounded_zlib(d, 15) if d[:1] == b"\x78" else (_ for _ in ()).throw(ValueError())),
    ("gzip", lambda d: _bounded_zlib(d, 31) if d[:2] == b"\x1f\x8b" else (_ for _ in ()).throw(ValueError())),
    ("bz2", _bounded_bz2),
    ("lzma", _bounded_lzma),
)


def _looks_like_text(data: bytes) -> bool:
    if not data:
        return False
    sample = data[:2000]
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError:
        return False
    printable = sum(ch.isprintable() or ch in "\n\r\t" for ch in text)
    return printable / max(1, len(text)) > 0.9


def _looks_like_code(data: bytes) -> bool:
    if not _looks_like_text(data):
        return False
    text = data[:2000].decode("utf-8", "replace")
    return bool(re.search(r"[\s();=|&$/.]", text)) and not _B64.match(text.strip())
