"""The real data files the tests read (shared/data beside the checkout, or $ZEROGRAD_DATA):
without them a test skips, saying which are missing, except under CI, which has them: there
it fails, so CI proves the data tests ran."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

import pytest


def require(root: Path, files: Iterable[str], hint: str) -> Path:
    """``root`` if every one of ``files`` (paths relative to it) is there; else skip, or fail
    when CI is set. ``hint`` says how to provide them."""
    missing = [f for f in files if not (Path(root) / f).is_file()]
    if missing:
        shown = ", ".join(missing[:3]) + (", ..." if len(missing) > 3 else "")
        reason = f"{shown} not in {root}; {hint}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}. CI is set, so this fails instead of skipping.")
        pytest.skip(reason)
    return Path(root)
