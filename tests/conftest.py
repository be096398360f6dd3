"""Hypothesis profiles: ``ci`` (derandomized, chosen when CI is set) and a quick ``dev`` one,
the real data beside the checkout, and the ``dot`` fixture for tests that need Graphviz.

Pick another profile with ``HYPOTHESIS_PROFILE=thorough pytest``.
"""
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

_common = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                     HealthCheck.data_too_large])
settings.register_profile("ci", max_examples=40, derandomize=True, print_blob=True, **_common)
settings.register_profile("dev", max_examples=15, **_common)
settings.register_profile("thorough", max_examples=400, **_common)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

# Tests read MNIST from shared/data beside the checkout (never the network) unless
# ZEROGRAD_DATA points elsewhere; without either, the tests that need it skip (fail under CI).
_SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
if not os.environ.get("ZEROGRAD_DATA") and _SHARED.is_dir():
    os.environ["ZEROGRAD_DATA"] = str(_SHARED)


@pytest.fixture
def dot() -> str:
    """The path of Graphviz's ``dot``; skip without it (fail when CI is set: CI installs it)."""
    path = shutil.which("dot")
    if path is None:
        reason = ("Graphviz's dot program is not on PATH (apt-get install graphviz, "
                  "brew install graphviz or conda install graphviz)")
        if os.environ.get("CI"):
            pytest.fail(f"{reason}. CI is set, so this fails instead of skipping.")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def torch():
    """PyTorch, the oracle (see tests/oracle.py: skips without it, unless required)."""
    from .oracle import import_torch
    return import_torch()


def pytest_collection_modifyitems(config, items) -> None:
    # A test that takes the torch fixture is an oracle test: ``pytest -m oracle`` (.ci/run's
    # second step) selects them, with the modules that mark themselves.
    for item in items:
        if "torch" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.oracle)
