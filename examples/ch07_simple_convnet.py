"""Chapter 7: SimpleConvNet on MNIST, and what its first layer learns.

conv 30@5x5 -> ReLU -> 2x2 max pool -> Linear 100 -> ReLU -> Linear 10 (``nn.zoo``), trained
with Adam through the ``nn.train.Trainer``. Its 30 first-layer filters start as random noise;
after training many have become edge and blob detectors -- smooth patches of one sign next to
patches of the other -- which respond to strokes at particular orientations.

The full run trains on all 60,000 training images for 2 epochs (about 1200 steps, a couple
of minutes on a laptop) and tests on all 10,000 test images.

    python examples/ch07_simple_convnet.py [--quick] [--out DIR] [--data-dir DIR] [--epochs N]
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

import nn
import nn.data
import nn.zoo
import optim
from nn.train import Trainer

import _common


def draw_filters(subfig: Any, weight: np.ndarray, title: str) -> None:
    """The (C, 1, KH, KW) filters as a grid of small gray images, each on its own scale."""
    rows = 3
    cols = -(-len(weight) // rows)
    axes = subfig.subplots(rows, cols)
    for k, ax in enumerate(axes.flat):
        if k < len(weight):
            ax.imshow(weight[k, 0], cmap="gray_r", interpolation="nearest")
        ax.set_axis_off()
    subfig.suptitle(title)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = _common.make_parser(__doc__, data="mnist", epochs=2)
    args = parser.parse_args(argv)
    clock = _common.Stopwatch()
    _common.seed_all(args.seed)
    data = _common.load_mnist(args.data_dir, n_train=500 if args.quick else None,
                              n_test=200 if args.quick else None, flatten=False)
    epochs = 1 if args.quick else args.epochs
    train = nn.data.DataLoader(nn.data.ArrayDataset(data.x_train, data.t_train),
                               batch_size=100, shuffle=True, seed=args.seed)
    test = nn.data.DataLoader(nn.data.ArrayDataset(data.x_test, data.t_test), batch_size=500)

    model = nn.zoo.SimpleConvNet()
    # Small initial filters, as in the book (std 0.01, not He's 0.28): what training adds to
    # them is then not hidden under the initial noise.
    nn.init.normal_(model.conv.weight, 0.0, 0.01)
    before = model.conv.weight.data.copy()
    trainer = Trainer(model, optim.Adam(model.parameters(), lr=1e-3),
                      progress=not args.no_progress)
    print(f"SimpleConvNet, Adam lr=0.001, batch 100, {epochs} epoch(s) on "
          f"{len(data.x_train)} images ({len(train)} steps each), tested on {len(data.x_test)}:",
          flush=True)
    history = trainer.fit(train, epochs, val_loader=test)
    after = model.conv.weight.data.copy()
    test_acc = float(history.val_acc[-1])
    print(f"test accuracy {test_acc:.4f}; first-layer filter norm {np.linalg.norm(before):.3f} "
          f"before, {np.linalg.norm(after):.3f} after")

    plt = _common.pyplot()
    fig = plt.figure(figsize=(10, 5.2), layout="constrained")
    top, bottom = fig.subfigures(2, 1)
    draw_filters(top, before, "first-layer filters before training (random)")
    draw_filters(bottom, after, f"after {epochs} epoch(s): test accuracy {test_acc:.2%}")
    figure = _common.save_figure(fig, args.out, "ch07_simple_convnet.png")
    return {"test_acc": test_acc, "train_loss": history.train_loss, "figures": [figure],
            "seconds": clock.done()}


if __name__ == "__main__":
    main()
