"""Per-op overhead: a chain of 1,000 tiny ops, where the framework's bookkeeping is the cost.

The chain ``y = y + 0.5; y = y * 0.999`` (500 times each) is the same Python code for every
framework; only making the leaf, seeding backward and reading the gradient differ. Each repeat
times the forward (and backward) of a fresh leaf, graph teardown included, and reports the
total divided by 1,000.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any, Callable

import numpy as np

from bench.timing import Setup
from bench.workload import Case, Program, Workload

N_OPS = 1000
SHAPES = {"scalar": (), "vector": (1000,)}
# d(chain)/dx: the additions contribute 1, each multiplication 0.999.
EXPECTED_GRAD = 0.999 ** (N_OPS // 2)


def _chain(y: Any) -> Any:
    for _ in range(N_OPS // 2):
        y = y + 0.5
        y = y * 0.999
    return y


@dataclass(frozen=True)
class _Api:
    """The three things that differ between frameworks; without ``backward``: forward only."""

    leaf: Callable[[tuple[int, ...]], Any]
    backward: Callable[[Any], None] | None = None
    grad: Callable[[Any], np.ndarray] | None = None
    anomaly: Callable[[], Any] | None = None  # the framework's NaN-checking mode, if it has one


def _program(api: _Api) -> Program:
    setups: dict[str, Setup] = {}
    for shape_key, shape in SHAPES.items():
        setups[f"{shape_key}_fwd"] = _forward_setup(api, shape)
        if api.backward is not None:
            setups[f"{shape_key}_fwd_bwd"] = _forward_backward_setup(api, shape)
    if api.anomaly is not None:
        setups["scalar_fwd_bwd_anomaly"] = _forward_backward_setup(api, (), api.anomaly)

    def check() -> None:
        if api.backward is None or api.grad is None:
            return
        x = api.leaf((3,))
        api.backward(_chain(x))
        got = api.grad(x)
        if not np.allclose(got, EXPECTED_GRAD, rtol=1e-3):
            raise AssertionError(f"per_op: gradient {got} != {EXPECTED_GRAD:.6f}")

    return Program(setups, check)


def _forward_setup(api: _Api, shape: tuple[int, ...]) -> Setup:
    def setup() -> Callable[[], str]:
        x = api.leaf(shape)
        # Returning a string, not y, lets the graph be torn down inside the timed call.
        return lambda: str(_chain(x).dtype)

    return setup


def _forward_backward_setup(api: _Api, shape: tuple[int, ...],
                            mode: Callable[[], Any] | None = None) -> Setup:
    backward = api.backward
    assert backward is not None

    def setup() -> Callable[[], str]:
        x = api.leaf(shape)

        def run() -> str:
            if mode is None:
                y = _chain(x)
                backward(y)
                return str(y.dtype)
            with mode():
                y = _chain(x)
                backward(y)
                return str(y.dtype)

        return run

    return setup


def _numpy(np_module: ModuleType) -> Program:
    # NOTE: a 0-d array plus a Python float gives a NumPy scalar, so after the first op the
    # 0-d chain runs on np.float32 scalars: the floor is as low as NumPy goes.
    return _program(_Api(leaf=lambda shape: np.ones(shape, np.float32)))


def _zerograd(ag: ModuleType) -> Program:
    def backward(y: Any) -> None:
        # A non-scalar output needs its seed (grad=); a 0-d one seeds itself with ones.
        y.backward(np.ones(y.shape, np.float32) if y.ndim else None)

    return _program(_Api(leaf=lambda shape: ag.Variable(np.ones(shape, np.float32)),
                         backward=backward, grad=lambda x: x.grad.data,
                         anomaly=ag.detect_anomaly))


def _torch(torch: ModuleType) -> Program:
    def leaf(shape: tuple[int, ...]) -> Any:
        return torch.ones(shape, dtype=torch.float32, requires_grad=True)

    def backward(y: Any) -> None:
        y.backward(torch.ones_like(y) if y.dim() else None)

    return _program(_Api(leaf=leaf, backward=backward, grad=lambda x: x.grad.numpy(),
                         anomaly=lambda: torch.autograd.detect_anomaly(check_nan=True)))


def _dezero(dezero: ModuleType) -> Program:
    # As shipped: DeZero seeds backward with ones_like for any shape, so no seed is passed.
    return _program(_Api(leaf=lambda shape: dezero.Variable(np.ones(shape, np.float32)),
                         backward=lambda y: y.backward(), grad=lambda x: x.grad.data))


WORKLOAD = Workload(
    name="per_op",
    title=f"per-op overhead: a chain of {N_OPS:,} alternating ops (y + 0.5, y * 0.999)",
    unit="µs/op",
    scale=1e6 / N_OPS,
    cases=(
        Case("scalar_fwd", "0-d fwd"),
        Case("scalar_fwd_bwd", "0-d fwd+bwd", compare=True),
        Case("vector_fwd", "1,000-vector fwd"),
        Case("vector_fwd_bwd", "1,000-vector fwd+bwd", compare=True),
        # what anomaly mode costs inside it (outside it, zerograd pays one list test per op)
        Case("scalar_fwd_bwd_anomaly", "0-d fwd+bwd, detect_anomaly"),
    ),
    programs={"numpy": _numpy, "zerograd": _zerograd, "torch": _torch, "dezero": _dezero},
)
