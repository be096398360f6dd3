"""Bad input: each row is a call, the exception it must raise and a regex its message must match.

Every message names the op and what it got, so no bare NumPy traceback reaches the user.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

import autograd as ag
from autograd import GraphError, GradcheckError, OpIndexError, OpTypeError, ShapeError, Variable


def V(*shape: int) -> Variable:
    return Variable(np.ones(shape))


def _second_backward() -> None:
    y = V(2).sum() * 2
    y.backward()
    y.backward()


class _BrokenSin(ag.Function):
    def forward(self, x):
        self.save_for_backward(x)
        return np.sin(x)

    def backward(self, grad):
        x, = self.saved
        return grad * ag.cos(x) * 1.1  # deliberately wrong


ERRORS: list[tuple[str, Callable[[], Any], type, str]] = [
    ("matmul misaligned", lambda: V(3, 2) @ V(3, 2), ShapeError,
     r"^MatMul: shapes \(3, 2\) and \(3, 2\) are not aligned \(2 != 3\)$"),
    ("matmul 0-d", lambda: ag.matmul(V(), V(3)), ShapeError,
     r"MatMul: both operands need at least 1 dimension \(shapes \(\) and \(3,\)\)"),
    ("matmul batch", lambda: V(2, 3, 4) @ V(5, 4, 2), ShapeError,
     r"MatMul: batch dimensions of shapes \(2, 3, 4\) and \(5, 4, 2\) do not broadcast"),
    ("add not broadcastable", lambda: V(2, 3) + V(4), ShapeError,
     r"^Add: .*broadcast.* \(shapes \(2, 3\) and \(4,\), dtypes float64 and float64\)"),
    ("mul not broadcastable", lambda: V(2, 3) * np.ones(2), ShapeError,
     r"^Mul: .*\(shapes \(2, 3\) and \(2,\)"),
    ("reshape", lambda: V(2, 3).reshape(4, 2), ShapeError,
     r"Reshape: cannot reshape input of shape \(2, 3\) \(size 6\) into shape \(4, 2\)"),
    ("sum axis", lambda: V(2, 3).sum(axis=2), ShapeError,
     r"Sum: axis 2 is out of bounds for input of shape \(2, 3\)"),
    ("sum repeated axis", lambda: V(2, 3).sum(axis=(0, -2)), ShapeError,
     r"Sum: repeated axis in \(0, -2\)"),
    ("max of empty", lambda: V(0, 3).max(axis=0), ShapeError,
     r"Max: cannot reduce a zero-size axis \(input shape \(0, 3\)"),
    ("index out of range", lambda: V(3)[5], OpIndexError,
     r"GetItem: index 5 is out of bounds .*\(input shape \(3,\), dtype float64; index=5\)"),
    ("index with floats", lambda: V(3)[np.array([0.5])], OpIndexError,
     r"GetItem: index arrays must be integers or booleans \(got dtype float64\)"),
    ("too many indices", lambda: V(3)[0, 1], OpIndexError, r"GetItem: too many indices"),
    ("transpose axes", lambda: V(2, 3).transpose(0, 0), ShapeError,
     r"Transpose: axes \(0, 0\) are not a permutation of the 2 axes of input of shape"),
    ("concat shapes", lambda: ag.concatenate([V(2, 3), V(2, 4)], axis=0), ShapeError,
     r"Concat: all inputs must match except along axis 0 \(shapes \(2, 3\), \(2, 4\)\)"),
    ("broadcast_to", lambda: ag.broadcast_to(V(2, 3), (4, 3)), ShapeError,
     r"BroadcastTo: cannot broadcast shape \(2, 3\) to \(4, 3\)"),
    ("sum_to", lambda: ag.sum_to(V(2, 3), (4,)), ShapeError,
     r"SumTo: cannot sum shape \(2, 3\) down to \(4,\)"),
    ("split unequal", lambda: ag.split(V(5), 2), ShapeError,
     r"split: axis of length 5 does not split into 2 equal parts"),
    ("stack shapes", lambda: ag.stack([V(2), V(3)]), ShapeError,
     r"stack: all inputs must have the same shape \(got \(2,\), \(3,\)\)"),
    ("squeeze", lambda: ag.squeeze(V(2, 1), 0), ShapeError,
     r"squeeze: cannot squeeze axis 0 of size != 1 \(input shape \(2, 1\)\)"),
    ("pad negative", lambda: ag.pad(V(2), -1), ShapeError, r"Pad: pad widths must be >= 0"),
    ("backward non-scalar", lambda: (V(3) * 2).backward(), GraphError,
     r"grad can be implicitly created only for scalar outputs \(got an output of shape \(3,\)\)"),
    ("second backward", _second_backward, GraphError,
     r"trying to backward through the graph a second time"),
    ("variable of strings", lambda: Variable(np.array(["a"])), OpTypeError,
     r"Variable: unsupported dtype <U1"),
    ("variable of variable", lambda: Variable(V(2)), OpTypeError,
     r"Variable: data is already a Variable"),
    ("int requires grad", lambda: Variable([1, 2], requires_grad=True), OpTypeError,
     r"only floating-point data can require gradients \(got dtype int64\)"),
    ("len of 0-d", lambda: len(V()), OpTypeError, r"len\(\) of a 0-d Variable"),
    ("item of vector", lambda: V(2).item(), OpTypeError,
     r"item: only one-element Variables .*\(got shape \(2,\)\)"),
    ("truth of vector", lambda: bool(V(2)), OpTypeError,
     r"truth value of a Variable of shape \(2,\) is ambiguous"),
    ("numpy ufunc without gradient", lambda: np.floor(V(2)), OpTypeError,
     r"np.floor has no gradient on a Variable: apply it to x.data for a plain array"),
    ("numpy function without gradient", lambda: np.sum(V(2)), OpTypeError,
     r"np.sum does not record gradients on a Variable: use the autograd function or Variable "
     r"method of that name, or x.data"),
    ("implicit array conversion", lambda: np.asarray(V(2)) + 1, OpTypeError,
     r"cannot convert a Variable that requires grad to an array implicitly"),
    ("numpy ufunc method", lambda: np.add.reduce(V(2)), OpTypeError,
     r"np.add.reduce has no gradient on a Variable"),
    ("gradcheck of a broken op", lambda: ag.gradcheck(lambda x: _BrokenSin()(x), np.ones(3)),
     GradcheckError, r"gradcheck: the gradient of input 0 disagrees with numerical "
                     r"differentiation at index \(\d,\): analytic .* vs numeric"),
]


@pytest.mark.parametrize("call, exc, pattern", [row[1:] for row in ERRORS],
                         ids=[row[0] for row in ERRORS])
def test_bad_input_gives_a_clear_error(call: Callable[[], Any], exc: type,
                                       pattern: str) -> None:
    with pytest.raises(exc, match=pattern):
        call()


def test_errors_are_catchable_by_builtin_kind() -> None:
    assert issubclass(ShapeError, ValueError) and issubclass(OpIndexError, IndexError)
    assert issubclass(OpTypeError, TypeError) and issubclass(GraphError, RuntimeError)
    assert issubclass(GradcheckError, AssertionError)
