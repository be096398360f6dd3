"""Chapter 8: DeepConvNet on MNIST, and the digits it still gets wrong.

Six 3x3 convolutions (16, 16, 32, 32, 64, 64 channels) with ReLU and three 2x2 max pools,
then Linear 50 -> ReLU -> Dropout -> Linear 10 -> Dropout (``nn.zoo.DeepConvNet``), trained
with Adam through the ``nn.train.Trainer``. The book trains it for 20 epochs to about 99.4%;
on zerograd's NumPy engine one step takes several times as long as SimpleConvNet's, so the
full run here trains one epoch on a subset of the training images (``--train-size``,
``--epochs``). The misclassified test digits are shown with the label and the guess; after
so short a training many are still plain to a person, others are ambiguous to anyone.

    python examples/ch08_deep_convnet.py [--quick] [--out DIR] [--data-dir DIR]
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Sequence

import numpy as np

import nn.data
import nn.zoo
import optim
from nn.train import Trainer

import _common


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = _common.make_parser(__doc__, data="mnist", epochs=1)
    parser.add_argument("--train-size", type=int, default=30000,
                        help="train on the first N training images (default: %(default)s)")
    args = parser.parse_args(argv)
    clock = _common.Stopwatch()
    _common.seed_all(args.seed)
    data = _common.load_mnist(args.data_dir, n_train=100 if args.quick else args.train_size,
                              n_test=50 if args.quick else None, flatten=False)
    epochs = 1 if args.quick else args.epochs
    train = nn.data.DataLoader(nn.data.ArrayDataset(data.x_train, data.t_train),
                               batch_size=100, shuffle=True, seed=args.seed)

    model = nn.zoo.DeepConvNet()
    trainer = Trainer(model, optim.Adam(model.parameters(), lr=1e-3),
                      progress=not args.no_progress)
    print(f"DeepConvNet ({sum(p.size for p in model.parameters())} parameters), Adam lr=0.001, "
          f"batch 100, {epochs} epoch(s) on {len(data.x_train)} images ({len(train)} steps "
          f"each):", flush=True)
    history = trainer.fit(train, epochs)
    train_seconds = sum(history.seconds)
    print(f"training took {train_seconds:.0f} s, {train_seconds / (epochs * len(train)):.2f} s "
          f"per step")

    predicted = _common.predict(model, data.x_test, batch_size=500)
    wrong = np.flatnonzero(predicted != data.t_test)
    test_acc = 1.0 - len(wrong) / len(data.t_test)
    pairs = Counter(zip(data.t_test[wrong].tolist(), predicted[wrong].tolist()))
    print(f"test accuracy {test_acc:.4f} ({len(wrong)} of {len(data.t_test)} misclassified)")
    print("most frequent mistakes (label -> guess): " + ", ".join(
        f"{a} -> {b} ({n})" for (a, b), n in pairs.most_common(5)))

    plt = _common.pyplot()
    rows, cols = 4, 8
    fig, axes = plt.subplots(rows, cols, figsize=(10, 5.6), layout="constrained")
    for ax, i in zip(axes.flat, wrong):
        ax.imshow(data.x_test[i, 0], cmap="gray_r")
        ax.set_title(f"{data.t_test[i]} -> {predicted[i]}", fontsize=10)
    for ax in axes.flat:
        ax.set_axis_off()
    fig.suptitle(f"Misclassified test digits (label -> guess), the first {min(len(wrong), 32)} "
                 f"of {len(wrong)}; test accuracy {test_acc:.2%}")
    figure = _common.save_figure(fig, args.out, "ch08_deep_convnet.png")
    return {"test_acc": test_acc, "misclassified": int(len(wrong)), "tested": len(data.t_test),
            "train_loss": history.train_loss, "figures": [figure], "seconds": clock.done()}


if __name__ == "__main__":
    main()
