"""PyTorch as the oracle: the comparison tests import it through here.

torch is never a dependency of zerograd. Without it these tests skip, except when
``ZEROGRAD_ORACLE=required`` (set by ``.ci/run`` after it installs the ``oracle`` extra): then
a missing torch fails them, so CI cannot pass with its oracle tests silently skipped. Tests
that take the ``torch`` fixture (tests/conftest.py) get the ``oracle`` mark by themselves;
modules that import torch at the top mark themselves (``pytestmark``).
"""
from __future__ import annotations

import os
from types import ModuleType

import pytest

REASON = ("PyTorch is not installed: the comparisons with it need it "
          '(pip install -e ".[oracle]", a CPU build)')


def import_torch(module_level: bool = False) -> ModuleType:
    try:
        import torch
    except ImportError:
        if os.environ.get("ZEROGRAD_ORACLE") == "required":
            pytest.fail(f"{REASON}; ZEROGRAD_ORACLE=required, so this fails instead of "
                        "skipping", pytrace=False)
        pytest.skip(REASON, allow_module_level=module_level)
    return torch
