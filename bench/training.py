"""Training-step and inference workloads: one network, one optimizer, the same weights and
batches in every framework, and a loss check against NumPy before anything is timed.

A training step is forward, loss, zero_grad, backward and the optimizer's step; inference is
the forward pass alone in evaluation mode (dropout off), with no graph recorded. Batches are
made once, converted to the framework's arrays outside the clock, and taken in turn
(``N_BATCHES`` of them).
"""
from __future__ import annotations

import itertools
from types import ModuleType
from typing import Any, Callable

from bench import nets
from bench.nets.spec import NetSpec, OptimizerSpec, Trainer, reference_loss
from bench.timing import Setup
from bench.workload import Case, Program, Workload

WEIGHT_SEED = 0
DATA_SEED = 1
BATCH_SIZE = 100
N_BATCHES = 4
# NOTE: float32 sums over 100 samples against a float64 reference: a correct forward pass
# agrees to ~1e-7 relative; a wrong layout or a missing bias is off by far more than this.
LOSS_RTOL = 1e-4
FRAMEWORKS = ("zerograd", "torch", "dezero")


def check_loss(net: NetSpec, trainer: Trainer, batch: tuple[Any, Any],
               converted: tuple[Any, Any]) -> dict[str, Any]:
    """The loss before and after one optimizer step, dropout off; raises if the first differs
    from the NumPy float64 reference by more than ``LOSS_RTOL`` (relative).

    The loss after the step tests backward and the optimizer; it has no reference of its
    own, so ``bench.run`` compares it between frameworks.
    """
    reference = reference_loss(net, net.weights(WEIGHT_SEED), *batch)
    trainer.set_training(False)
    loss = trainer.loss(*converted)
    rel = abs(loss - reference) / abs(reference)
    if not rel <= LOSS_RTOL:
        raise AssertionError(f"{net.name}: loss {loss!r} differs from the NumPy float64 "
                             f"reference {reference!r} by {rel:.2e} relative (> {LOSS_RTOL})")
    trainer.step(*converted)
    after = trainer.loss(*converted)
    trainer.set_training(True)
    return {"loss": loss, "reference_loss": reference, "rel_error": rel,
            "loss_after_step": after}


def _program(net: NetSpec, optimizer: OptimizerSpec, case: str,
             framework: str) -> Callable[..., Program]:
    def make(module: ModuleType, device: str = "cpu") -> Program:
        trainer = nets.build(framework, module, net, optimizer, WEIGHT_SEED, device)
        batches = net.batches(BATCH_SIZE, N_BATCHES, DATA_SEED)
        converted = [trainer.convert(x, t) for x, t in batches]
        turn = itertools.cycle(converted)

        def setup_step() -> Callable[[], str]:
            x, t = next(turn)
            return lambda: trainer.step(x, t)

        def setup_infer() -> Callable[[], str]:
            x, _ = next(turn)
            trainer.set_training(False)  # evaluation mode: dropout off (the check turned it on)
            return lambda: trainer.infer(x)

        setup: Setup = setup_step if case == "step" else setup_infer
        return Program({case: setup},
                       check=lambda: check_loss(net, trainer, batches[0], converted[0]))

    return make


def training_workload(name: str, net: NetSpec, optimizer: OptimizerSpec,
                      inference: bool = False) -> Workload:
    """A workload timing ``net``'s training step (or, with ``inference``, its forward pass
    without a graph) at batch ``BATCH_SIZE`` in zerograd, PyTorch and DeZero."""
    case = "forward" if inference else "step"
    if inference:
        title = f"{net.title}: inference forward, no graph, eval mode, batch {BATCH_SIZE}"
    else:
        title = (f"{net.title}: training step ({optimizer}, cross-entropy"
                 + (", dropout on" if net.has_dropout else "") + f"), batch {BATCH_SIZE}")
    return Workload(
        name=name, title=title, unit="ms/" + ("batch" if inference else "step"), scale=1e3,
        cases=(Case(case, "forward" if inference else "step", compare=True),),
        programs={fw: _program(net, optimizer, case, fw) for fw in FRAMEWORKS},
        result="output dtype" if inference else "gradient dtypes",
        devices=("cpu", "cuda"))
