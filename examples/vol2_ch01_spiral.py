"""Volume 2, chapter 1: a two-layer network separates three interleaved spirals.

No straight line separates the three arms of ``nn.data.Spiral``; a network with one hidden
layer of 10 sigmoid units, trained with plain SGD (learning rate 1, batch 30, 300 epochs, the
book's settings) through ``nn.train.Trainer``, bends its decision boundary around them.
The script saves the learning curves (``nn.train.plot_history``) and the decision boundary
(``nn.train.plot_decision_boundary``).

    python examples/vol2_ch01_spiral.py [--quick] [--out DIR] [--epochs N]
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import nn.data
import nn.zoo
import optim
from nn.train import Trainer, plot_decision_boundary, plot_history

import _common


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = _common.make_parser(__doc__, epochs=300)
    args = parser.parse_args(argv)
    clock = _common.Stopwatch()
    _common.seed_all(args.seed)
    epochs = 100 if args.quick else args.epochs
    spiral = nn.data.Spiral(seed=1984 + args.seed)
    loader = nn.data.DataLoader(spiral, batch_size=30, shuffle=True, seed=args.seed)
    model = nn.zoo.MLP(2, (10,), 3, activation="sigmoid")
    # No progress bar and no line per epoch: an epoch is 10 steps and the run takes seconds.
    trainer = Trainer(model, optim.SGD(model.parameters(), lr=1.0), progress=False,
                      verbose=False)
    print(f"2-10-3 sigmoid network on {len(spiral)} spiral points, SGD lr=1, batch 30, "
          f"{epochs} epochs:")
    history = trainer.fit(loader, epochs)
    for i in range(0, epochs, max(epochs // 10, 1)):
        print(f"  epoch {history.epoch[i]:3d}: loss {history.train_loss[i]:.4f}, "
              f"accuracy {history.train_acc[i]:.3f}")
    _, acc = trainer.evaluate(nn.data.DataLoader(spiral, batch_size=len(spiral)))
    print(f"final training accuracy {acc:.4f} (loss {history.train_loss[-1]:.4f})")

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    figures = [out / "vol2_ch01_spiral_boundary.png", out / "vol2_ch01_spiral_history.png"]
    plot_decision_boundary(model, spiral.x, spiral.t, figures[0])
    plot_history(history, figures[1], title="2-10-3 network on the spiral")
    for figure in figures:
        print(f"figure: {figure}")
    return {"train_acc": acc, "final_loss": history.train_loss[-1], "figures": figures,
            "seconds": clock.done()}


if __name__ == "__main__":
    main()
