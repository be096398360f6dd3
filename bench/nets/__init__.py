"""The networks the training workloads run, built the same way in every framework.

``spec`` describes each network as a list of layers and makes its weights and data with NumPy
from one seed, in zerograd's layouts; one module per framework builds the network from that
description, loads those weights and wraps a training step as a ``Trainer``.
"""
from __future__ import annotations

from types import ModuleType

from bench.nets.spec import NETS, NetSpec, OptimizerSpec, Trainer


def build(framework: str, module: ModuleType, net: NetSpec, optimizer: OptimizerSpec,
          seed: int, device: str = "cpu") -> Trainer:
    """``net`` in ``framework`` (already imported as ``module``), with the weights of ``seed``,
    on ``device`` ("cpu"; "cuda" for zerograd and PyTorch)."""
    # Imported here: each builder imports its framework, and a worker loads only its own.
    if framework == "zerograd":
        from bench.nets import zerograd_net as builder
    elif framework == "torch":
        from bench.nets import torch_net as builder  # type: ignore[no-redef]
    elif framework == "dezero":
        from bench.nets import dezero_net as builder  # type: ignore[no-redef]
    else:
        raise ValueError(f"bench.nets: no builder for framework {framework!r}")
    if device != "cpu":
        return builder.build(module, net, optimizer, net.weights(seed), device=device)
    return builder.build(module, net, optimizer, net.weights(seed))


__all__ = ["NETS", "NetSpec", "OptimizerSpec", "Trainer", "build"]
