"""Reader for IDX files (the MNIST format), gzipped or raw, that checks the header against the
data and names the file and the fault when they disagree.
"""
from __future__ import annotations

import math
import os
import zlib
from pathlib import Path

import numpy as np

from autograd.errors import ZerogradError

IMAGES_MAGIC = 2051
"""Magic number of an IDX file of unsigned-byte images: type 0x08, three dimensions."""
LABELS_MAGIC = 2049
"""Magic number of an IDX file of unsigned-byte labels: type 0x08, one dimension."""

# Type code (third magic byte) -> big-endian element dtype.
_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_KIND = {IMAGES_MAGIC: "an IDX image file", LABELS_MAGIC: "an IDX label file"}


class IDXError(ZerogradError, ValueError):
    """An IDX file that is corrupt, truncated or not the kind of IDX file expected."""


def read_idx(path: str | os.PathLike[str], *, magic: int | None = None,
             name: str = "IDX") -> np.ndarray:
    """Read an IDX file into an array of the shape and dtype its header gives.

    The file may be gzip-compressed (recognised by its first bytes, not its name).

    Args:
        path: the file.
        magic: the magic number the file must have (``IMAGES_MAGIC``, ``LABELS_MAGIC``), or
            None for any valid IDX header.
        name: who is reading, the prefix of error messages (e.g. ``"MNIST"``).

    Returns:
        A writable array in native byte order, e.g. ``(N, 28, 28)`` uint8 for MNIST images.

    Raises:
        IDXError: a bad magic number, a corrupt gzip stream, or a byte length that differs from
            the header's (a truncated file or trailing data). The message names the file.
        FileNotFoundError: no file at ``path``.
    """
    path = Path(path)
    raw = path.read_bytes()
    data, note = raw, ""
    if raw[:2] == b"\x1f\x8b":
        data, complete = _gunzip(raw, f"{name}: {path.name}")
        note = " uncompressed" if complete else " uncompressed (the gzip stream ends early)"
    return _parse(data, magic=magic, where=f"{name}: {path.name}", note=note)


def _gunzip(raw: bytes, where: str) -> tuple[bytes, bool]:
    """The decompressed bytes of every gzip member, and False if the stream is cut short."""
    parts = []
    while raw:
        d = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            parts.append(d.decompress(raw))
        except zlib.error as err:
            raise IDXError(f"{where} is not a valid gzip file ({err})") from err
        if not d.eof:
            return b"".join(parts), False
        # NOTE: like gzip.decompress, tolerate zero padding after the last member.
        raw = d.unused_data.lstrip(b"\x00")
    return b"".join(parts), True


def _parse(data: bytes, *, magic: int | None, where: str, note: str) -> np.ndarray:
    if len(data) < 4:
        raise IDXError(f"{where} is truncated: it has {len(data)} bytes{note}, too few for an "
                       f"IDX header")
    found = int.from_bytes(data[:4], "big")
    type_code, ndim = data[2], data[3]
    if magic is not None and found != magic:
        other = f"; {found} is {_KIND[found]}" if found in _KIND else ""
        raise IDXError(f"{where} has bad magic number {found} "
                       f"(expected {magic}, {_KIND.get(magic, 'an IDX file')}{other})")
    if data[:2] != b"\x00\x00" or type_code not in _DTYPES or ndim == 0:
        raise IDXError(f"{where} has bad magic number {found} (0x{data[:4].hex()}): not an IDX "
                       f"file (expected 0x0000, a type code in "
                       f"{{{', '.join(hex(c) for c in _DTYPES)}}}, and a dimension count)")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise IDXError(f"{where} is truncated: it has {len(data)} bytes{note}, too few for the "
                       f"{header}-byte header of a {ndim}-dimensional IDX file")
    shape = tuple(int.from_bytes(data[4 + 4 * k: 8 + 4 * k], "big") for k in range(ndim))
    dtype = np.dtype(_DTYPES[type_code])
    # Python ints, not np.prod: the dimensions of a garbage header could overflow int64.
    expected = header + math.prod(shape) * dtype.itemsize
    if len(data) != expected:
        fault = "is truncated" if len(data) < expected else (
            f"has {len(data) - expected} bytes of trailing data")
        raise IDXError(f"{where} {fault}: header says {_describe(shape, magic)} ({expected} "
                       f"bytes), file has {len(data)} bytes{note}")
    arr = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
    # astype copies into native byte order, and the copy is writable (frombuffer's is not).
    return arr.astype(dtype.newbyteorder("="))


def _describe(shape: tuple[int, ...], magic: int | None) -> str:
    if magic == IMAGES_MAGIC:
        return f"{shape[0]} images of {shape[1]}x{shape[2]}"
    if magic == LABELS_MAGIC:
        return f"{shape[0]} labels"
    return f"shape {shape}"
