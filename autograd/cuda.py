"""The "cuda" device: CuPy registered as an array module, the first time "cuda" is asked for.
Without CuPy, or without a GPU it can use, asking says how to get one."""
from __future__ import annotations

from typing import Any

import numpy as np

from .devices import INSTALL_CUPY, Backend
from .errors import MissingDependencyError


def load() -> Backend:
    """CuPy as the "cuda" backend.

    Raises:
        MissingDependencyError: CuPy is not installed, or finds no GPU.
    """
    try:
        import cupy
    except ImportError as err:
        raise MissingDependencyError(f"device 'cuda' needs CuPy, which is not installed "
                                     f"({err}): {INSTALL_CUPY}") from None
    try:
        count = int(cupy.cuda.runtime.getDeviceCount())
    except Exception as err:  # noqa: BLE001 - CUDA says "no driver" in several ways
        raise MissingDependencyError(f"device 'cuda': CuPy is installed but finds no GPU "
                                     f"({type(err).__name__}: {err})") from None
    if count == 0:
        raise MissingDependencyError("device 'cuda': CuPy is installed but finds no GPU")

    def to_device(arr: Any, index: int) -> Any:
        # NOTE: CuPy makes new arrays on its current device, so the last move chooses the GPU
        # the ops after it create their arrays on: one GPU at a time
        cupy.cuda.Device(index).use()
        return cupy.asarray(arr)

    def to_numpy(arr: Any) -> np.ndarray:
        return cupy.asnumpy(arr)

    def synchronize(index: int) -> None:
        cupy.cuda.Device(index).synchronize()

    return Backend("cuda", cupy, cupy.ndarray, lambda a: a.device.id, to_device, to_numpy,
                   synchronize)
