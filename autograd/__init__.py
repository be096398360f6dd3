"""zerograd's autograd: a define-by-run engine on NumPy.

A ``Variable`` wraps an array; every op is a ``Function`` that records itself as it runs, so
``backward()`` can apply the chain rule through whatever the code just did.
"""
from .core import Function, Variable, as_variable
from .engine import grad
from .errors import (
    AnomalyError, ArgumentError, DeviceError, GraphError, MissingDependencyError, MissingFileError,
    NotInitializedError, NotWrittenError, OpIndexError, OpTypeError, ShapeError, ZerogradError,
)
from .devices import Device, get_array_module
from .anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .mode import enable_grad, is_grad_enabled, name_scope, no_grad, set_grad_enabled
from .elementwise import (
    Add, Cast, Cos, Div, Exp, Log, Maximum, Mul, Neg, Pow, Sin, Sub, Tanh, ToDevice, Where,
    abs, add, astype, clip, cos, div, exp, log, maximum, minimum, mul, neg, pow, sigmoid, sin,
    sqrt, square, sub, tanh, to_device, where,
)
from .reduce import (
    BroadcastTo, Max, Sum, SumTo,
    broadcast_to, logsumexp, max, mean, min, std, sum, sum_to, var,
)
from .shape import (
    Concat, GetItem, GetItemGrad, Pad, Repeat, Reshape, Transpose,
    concatenate, expand_dims, flatten, getitem, pad, repeat, reshape, split, squeeze, stack,
    swapaxes, tile, transpose,
)
from .linalg import MatMul, dot, matmul, outer
from .numerical import GradcheckError, gradcheck, gradgradcheck, numerical_grad
from . import allocator, functional, parallel, viz
from .allocator import keep_freed_memory, release_freed_memory
from .parallel import get_num_threads, set_num_threads
from .viz import render, to_dot

__version__ = "0.1.0"
