"""What a batch wrapped as ``Variable(x)`` costs a training step (docs: "Coming from PyTorch").

A Variable on float data requires grad by default (as in DeZero), so a wrapped batch makes the
first layer compute the input's gradient too. This times one SimpleConvNet SGD step (batch 100)
with the batch given three ways, in one process, the ways taken in turn so drift hits all three
alike. zerograd only: PyTorch's ``torch.tensor(x)`` needs no gradient, so it has no such case.

    python -m bench.wrapped_batch [--rounds 7] [--steps 10]
"""
from __future__ import annotations

import argparse
import time

import numpy as np


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.wrapped_batch", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=10, help="timed steps per way and round")
    args = parser.parse_args(argv)

    import autograd as ag
    import nn
    import optim
    from nn import functional as F
    from nn import zoo

    ag.set_num_threads(ag.parallel.default_threads())
    ag.keep_freed_memory()
    nn.manual_seed(0)
    model = zoo.SimpleConvNet()
    optimizer = optim.SGD(model.parameters(), lr=0.01)
    rng = np.random.default_rng(0)
    x = rng.random((100, 1, 28, 28), dtype=np.float32)
    t = rng.integers(0, 10, 100)

    def step(batch: object) -> None:
        loss = F.cross_entropy(model(batch), t)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    ways = {"array": lambda: x,
            "Variable(x)": lambda: ag.Variable(x),
            "Variable(x, requires_grad=False)": lambda: ag.Variable(x, requires_grad=False)}
    for _ in range(5):  # warm-up: allocator, caches
        step(x)
    medians: dict[str, list[float]] = {way: [] for way in ways}
    for _ in range(args.rounds):
        for way, make in ways.items():
            times = []
            for _ in range(args.steps):
                batch = make()
                began = time.perf_counter()
                step(batch)
                times.append(time.perf_counter() - began)
            medians[way].append(float(np.median(times)))
    print(f"SimpleConvNet SGD step, batch 100, {ag.get_num_threads()} threads; median of "
          f"{args.rounds} rounds of {args.steps} steps (range over rounds)")
    for way, values in medians.items():
        print(f"  {way:34s} {np.median(values) * 1e3:6.1f} ms "
              f"({min(values) * 1e3:.1f}-{max(values) * 1e3:.1f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
