"""Mixed precision: the model computes in float16 (``model.half()``), the optimizer updates a
float32 master copy of the weights, and the loss is scaled so small float16 gradients do not
flush to zero (Micikevicius et al., "Mixed Precision Training", 2018; PyTorch's GradScaler).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Variable, no_grad
from autograd.devices import to_device

from .checks import OptimizerError, check_real
from .optimizer import Optimizer


class MasterWeights:
    """Wrap ``optimizer``, built on float16 parameters, so that it steps float32 copies.

    Each step: the float16 gradients are unscaled into float32 gradients of the master
    copies; if any is inf or NaN (the scale was too large) the step is skipped and the scale
    halved, else the wrapped optimizer updates the masters and the float16 parameters are set
    to them, rounded. After ``growth_interval`` clean steps in a row the scale doubles.

    Args:
        optimizer: any optimizer of this package, built on the float16 parameters.
        loss_scale: the first scale; ``scale(loss)`` multiplies the loss by it.
        growth_interval: clean steps before the scale doubles (0: a fixed scale).

    >>> import numpy as np, nn, optim
    >>> from nn import functional as F
    >>> model = nn.Linear(4, 3).half()
    >>> opt = optim.MasterWeights(optim.SGD(model.parameters(), lr=0.1))
    >>> x, t = np.ones((2, 4), np.float16), np.array([0, 2])
    >>> loss = F.cross_entropy(model(x), t)
    >>> opt.zero_grad(); opt.scale(loss).backward(); opt.step()  # False: skipped for inf/NaN
    True
    >>> model.weight.dtype, opt.masters[0].dtype, opt.skipped
    (dtype('float16'), dtype('float32'), 0)
    """

    def __init__(self, optimizer: Optimizer, loss_scale: float = 2.0 ** 12,
                 growth_interval: int = 1000) -> None:
        name = "MasterWeights"
        if not isinstance(optimizer, Optimizer):
            raise OptimizerError(f"{name}: expected an optimizer, got "
                                 f"{type(optimizer).__name__}")
        self.loss_scale = check_real(name, "loss_scale", loss_scale, low=1.0)
        self.growth_interval = int(growth_interval)
        self.optimizer = optimizer
        self.params: list[Variable] = []  # the model's (float16) parameters
        self.masters: list[Variable] = []  # their float32 copies, which the optimizer steps
        for group in optimizer.param_groups:
            masters = []
            for p in group["params"]:
                if p.dtype.kind != "f":
                    raise OptimizerError(f"{name}: parameter of dtype {p.dtype} is not "
                                         "floating point")
                master = Variable(p.data.astype(np.float32))
                self.params.append(p)
                self.masters.append(master)
                masters.append(master)
            group["params"] = masters
        self.skipped = 0  # steps skipped for an inf or NaN gradient
        self._clean = 0

    @property
    def param_groups(self) -> list[dict[str, Any]]:
        """The wrapped optimizer's groups (of master weights): set ``lr`` there."""
        return self.optimizer.param_groups

    def scale(self, loss: Variable) -> Variable:
        """``loss * loss_scale``, in float32 (the scale may be past float16's range): call
        ``backward`` on this one."""
        return loss.astype(np.float32) * self.loss_scale

    def zero_grad(self) -> None:
        """Clear the gradients of the parameters and of their masters."""
        for p, m in zip(self.params, self.masters):
            p.grad = m.grad = None

    def step(self) -> bool:
        """Unscale, check, update the masters and copy them into the parameters. Returns
        False if the step was skipped (an inf or NaN gradient)."""
        with no_grad():
            finite = True
            for p, m in zip(self.params, self.masters):
                if p.grad is None:
                    m.grad = None
                    continue
                # NOTE: unscaled in float32: a float16 gradient divided there could underflow
                g = p.grad.data.astype(np.float32) * np.float32(1.0 / self.loss_scale)
                finite = finite and bool(np.isfinite(g).all())
                m.grad = Variable(g, requires_grad=False)
            if not finite:
                self.skipped += 1
                self._clean = 0
                self.loss_scale = max(self.loss_scale / 2, 1.0)
                return False
            self.optimizer.step()
            for p, m in zip(self.params, self.masters):
                p.data = m.data.astype(p.dtype)
        self._clean += 1
        if self.growth_interval and self._clean >= self.growth_interval and \
                math.isfinite(self.loss_scale * 2):
            self.loss_scale *= 2
            self._clean = 0
        return True

    def state_dict(self) -> dict[str, Any]:
        """The wrapped optimizer's state_dict, plus the float32 masters and the scale."""
        state = self.optimizer.state_dict()
        state["master_weights"] = [np.array(m.numpy()) for m in self.masters]
        state["loss_scale"] = self.loss_scale
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what ``state_dict`` gave (masters onto the parameters' device)."""
        state = dict(state)
        masters = state.pop("master_weights", None)
        self.loss_scale = float(state.pop("loss_scale", self.loss_scale))
        self.optimizer.load_state_dict(state)
        if masters is not None:
            for p, m, saved in zip(self.params, self.masters, masters):
                m.data = to_device(np.asarray(saved, np.float32), p.device)
                p.data = m.data.astype(p.dtype)
