"""The installed `autograd` is this project's, and the one import cycle (core <-> ops) is safe."""
from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import autograd

REPO = Path(__file__).resolve().parents[2]


def test_autograd_imports_from_this_project() -> None:
    # PyPI's HIPS `autograd` uses the same import name: make sure we are testing ours.
    assert Path(autograd.__file__).resolve().parent == REPO / "autograd"
    assert hasattr(autograd, "Variable") and hasattr(autograd, "Function")


@pytest.mark.parametrize("module", sorted(m.name for m in pkgutil.iter_modules(
    autograd.__path__, "autograd.")))
def test_each_submodule_imports_first_in_a_fresh_process(module: str) -> None:
    result = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=REPO,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_autograd_does_not_import_nn_or_optim() -> None:
    code = ("import sys, autograd, autograd.testing; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('nn', 'optim')]; "
            "assert not bad, bad")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
