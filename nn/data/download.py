"""Where dataset files live (``root``, ``$ZEROGRAD_DATA`` or the user cache) and how missing ones
are fetched: from a list of mirrors, MD5-checked, written to a temp file and moved into place.
"""
from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import Sequence

from autograd.errors import ZerogradError

# Looked up at call time as a module attribute, so tests can monkeypatch it with a fake server.
urlopen = urllib.request.urlopen

ENV_VAR = "ZEROGRAD_DATA"
"""Environment variable naming the data folder (it holds ``mnist/``, ``fashion-mnist/``, ...)."""

_CHUNK = 1 << 16


class DownloadError(ZerogradError, OSError):
    """No mirror delivered a file with the right checksum (offline, moved, or corrupted)."""


def data_root(root: str | os.PathLike[str] | None = None) -> Path:
    """The folder that holds one subfolder per dataset.

    In order: ``root`` if given, else ``$ZEROGRAD_DATA`` if set, else ``zerograd`` in the user
    cache (``$XDG_CACHE_HOME``, by default ``~/.cache``).

    Args:
        root: an explicit folder, or None.

    Returns:
        The folder, with ``~`` expanded (it need not exist yet).

    Example:
        >>> str(data_root("/data"))
        '/data'
    """
    if root is not None:
        return Path(root).expanduser()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache).expanduser() / "zerograd"


def file_md5(path: str | os.PathLike[str]) -> str:
    """The MD5 hex digest of a file, read in chunks."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def download(filename: str, folder: str | os.PathLike[str], mirrors: Sequence[str],
             md5: str | None, *, name: str, progress: bool | None = None) -> Path:
    """Fetch ``filename`` into ``folder`` from the first mirror that serves it intact.

    Each attempt streams into a temporary file in ``folder`` while hashing it; only a file
    whose MD5 matches is moved to ``folder/filename`` (``os.replace``, atomic), so an
    interrupted or corrupted download never leaves a partial file under the real name.

    Args:
        filename: the file's name on the mirrors and on disk.
        folder: where to put it (created if missing).
        mirrors: base URLs tried in order; the URL is ``mirror + filename``.
        md5: the expected MD5 hex digest; None where no checksum is published (the caller
            then checks the content itself, as ``PTB`` does for ``ptb.train.txt``).
        name: who is downloading, the prefix of error messages (e.g. ``"MNIST"``).
        progress: show a tqdm progress bar (default: only when stderr is a terminal).

    Returns:
        The path of the downloaded file.

    Raises:
        DownloadError: every mirror failed; the message lists each failure and says where to
            put the file by hand.
    """
    folder = Path(folder)
    dest = folder / filename
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise DownloadError(f"{name}: cannot create {folder} to download {filename} into "
                            f"({err}); pass root= or set {ENV_VAR} to a writable folder") from err
    failures = []
    for mirror in mirrors:
        url = mirror.rstrip("/") + "/" + filename
        # URLError, HTTPError and timeouts are OSErrors; a cut-off body is an HTTPException.
        try:
            _fetch(url, dest, md5, desc=f"{name} {filename}", progress=progress)
            return dest
        except (OSError, ValueError, http.client.HTTPException) as err:
            failures.append(f"  {url}: {err}")
    raise DownloadError(
        f"{name}: could not download {filename} from any mirror:\n" + "\n".join(failures)
        + f"\nIf this machine is offline, copy {filename}"
        + (f" (MD5 {md5})" if md5 else "") + f" into {folder}/ by hand, "
        f"or pass root= (or set {ENV_VAR}) to a folder whose {folder.name}/ subfolder has it.")


class _ChecksumError(ZerogradError, ValueError):
    """A download whose MD5 is not the published one (caught by ``download``, which tries the
    next mirror)."""


def _fetch(url: str, dest: Path, md5: str | None, *, desc: str, progress: bool) -> None:
    from tqdm.auto import tqdm  # only needed here, so importing nn.data stays light

    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    try:
        digest = hashlib.md5(usedforsecurity=False)
        request = urllib.request.Request(url, headers={"User-Agent": "zerograd"})
        with os.fdopen(fd, "wb") as out, urlopen(request, timeout=30) as response:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            with tqdm(total=total, desc=desc, unit="B", unit_scale=True, unit_divisor=1024,
                      leave=False, disable=not (sys.stderr.isatty() if progress is None
                                                else progress)) as bar:
                while chunk := response.read(_CHUNK):
                    out.write(chunk)
                    digest.update(chunk)
                    bar.update(len(chunk))
            out.flush()
            os.fsync(out.fileno())
        if md5 is not None and digest.hexdigest() != md5:
            raise _ChecksumError(f"checksum mismatch: MD5 {digest.hexdigest()}, expected {md5}")
        os.chmod(tmp, 0o644)  # mkstemp makes it owner-only; a data file is fine to share
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
