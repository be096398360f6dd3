"""Weights files: NumPy ``.npz`` archives written atomically, read without pickle, with an
optional JSON record of what they hold; and the clean-up after a save that was killed."""
from __future__ import annotations

import json
import os
import tempfile
import zipfile
import zlib
from collections import OrderedDict
from typing import Any

import numpy as np

from autograd import ArgumentError, MissingFileError

def save_arrays(path: str | os.PathLike, arrays: dict[str, np.ndarray]) -> None:
    """``np.savez`` to ``path`` atomically: a temporary file beside it, then ``os.replace``.

    The file gets the permissions of any file the user creates (their umask), and what an
    interrupted save left in the folder is removed first (see ``remove_stale_temporaries``).
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    remove_stale_temporaries(folder)
    # NOTE: the writer's pid in the name tells a later save whether the writer is gone
    prefix = f".{os.path.basename(path)}{_TMP}{os.getpid()}-"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=".npz")
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it 0600
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def cast_floating(arrays: dict[str, Any], dtype: Any, caller: str) -> OrderedDict[str, Any]:
    """``arrays`` with every floating-point entry cast to the floating ``dtype`` (the
    precision a file stores them in); the others as they are."""
    try:
        dtype = np.dtype(dtype)
    except TypeError as err:
        raise ArgumentError(f"{caller}: dtype {dtype!r} is not a NumPy dtype ({err})") from None
    if dtype.kind != "f":
        raise ArgumentError(f"{caller}: weights are stored as floating point, not {dtype} "
                            "(expected float16, float32 or float64)")
    with np.errstate(over="ignore"):  # an overflow is reported below, by name
        cast = OrderedDict((k, a.astype(dtype) if a.dtype.kind == "f" else a)
                           for k, a in arrays.items())
    lost = [k for k, a in arrays.items()
            if a.dtype.kind == "f" and np.isfinite(a).all() and not np.isfinite(cast[k]).all()]
    if lost:  # NOTE: float16 ends at 65504; past it a weight would load back as inf
        raise ArgumentError(f"{caller}: {', '.join(lost)} hold values beyond the range of "
                            f"{dtype} (max {np.finfo(dtype).max}); save in a wider dtype")
    return cast


_TMP = ".tmp-"
# The entry of a weights file that holds its metadata as JSON text (see Module.save).
METADATA = "__metadata__"


def read_metadata(path: str | os.PathLike) -> dict[str, Any] | None:
    """The metadata ``Module.save`` (or a Trainer checkpoint) wrote into ``path``; None if the
    file has none. Raises as ``load_arrays`` does for a missing or damaged file."""
    arrays = load_arrays(path)
    if METADATA not in arrays:
        return None
    try:
        meta = json.loads(str(arrays[METADATA]))
    except ValueError as err:
        raise ArgumentError(f"load: the metadata of {os.fspath(path)} is not JSON ({err})") \
            from None
    if not isinstance(meta, dict):
        raise ArgumentError(f"load: the metadata of {os.fspath(path)} is not a JSON object")
    return meta


def _umask() -> int:
    mask = os.umask(0o022)  # the only way to read it is to set it; put it straight back
    os.umask(mask)
    return mask


def remove_stale_temporaries(folder: str | os.PathLike) -> list[str]:
    """Remove the temporary files of saves into ``folder`` that were interrupted (the writing
    process was killed): ``.NAME.tmp-PID-XXXX.npz`` whose process PID is gone. Returns their
    names. A save still running in another process keeps its file."""
    removed = []
    for entry in os.listdir(folder):
        head, sep, rest = entry.partition(_TMP)
        pid = rest.split("-", 1)[0]
        if not (entry.startswith(".") and sep and entry.endswith(".npz") and pid.isdigit()):
            continue
        if int(pid) != os.getpid() and not _running(int(pid)):
            try:
                os.unlink(os.path.join(folder, entry))
                removed.append(entry)
            except FileNotFoundError:  # another process cleaned it up first
                pass
    return removed


def _running(pid: int) -> bool:
    if os.name != "posix":  # NOTE: os.kill(pid, 0) is not a probe on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


# An .npz is a zip file: a local file header first, or the end record of an empty archive.
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


def load_arrays(path: str | os.PathLike) -> OrderedDict[str, np.ndarray]:
    """The arrays of an .npz written by ``save_arrays``, read with pickling disabled.

    Raises:
        MissingFileError: there is no file at ``path``.
        ArgumentError: the file is empty, not an .npz, damaged (truncated, altered) or holds
            pickled objects; one line naming the path and what is wrong.
    """
    path = os.fspath(path)
    try:
        with open(path, "rb") as f:
            head = f.read(4)
    except FileNotFoundError:
        raise MissingFileError(f"load: no file at {path}") from None
    except OSError as err:
        raise ArgumentError(f"load: cannot read {path} ({err.strerror or err})") from None
    if not head:
        raise ArgumentError(f"load: {path} is empty (an interrupted copy?)")
    if head not in _ZIP_MAGIC:
        raise ArgumentError(f"load: {path} is not an .npz weights file (it does not start "
                            "like a zip archive)")
    try:
        with np.load(path, allow_pickle=False) as data:
            return OrderedDict((k, data[k]) for k in data.files)
    except ValueError as err:
        if "pickle" in str(err):
            raise ArgumentError(f"load: {path} holds pickled objects, which are never loaded "
                                f"({err})") from None
        raise ArgumentError(f"load: {path} is damaged ({err})") from None
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as err:
        raise ArgumentError(f"load: {path} is damaged: {err or type(err).__name__} (truncated "
                            "or altered; save it again)") from None
