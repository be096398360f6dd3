"""The random generator shared by initialisers and dropout, so one seed makes a run repeatable."""
from __future__ import annotations

import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Seed the generator used by ``nn.init`` and dropout (as ``torch.manual_seed``)."""
    global _generator
    _generator = np.random.default_rng(seed)


def generator() -> np.random.Generator:
    """The current shared generator."""
    return _generator
