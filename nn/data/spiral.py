"""``Spiral``: the toy dataset of interleaved spiral arms, one class per arm, made in memory."""
from __future__ import annotations

import numpy as np

from autograd.errors import ArgumentError

from .dataset import ArrayDataset
from .transforms import Transform


class Spiral(ArrayDataset):
    """Points on ``n_classes`` noisy spiral arms in the plane, the arm being the label.

    As in *Deep Learning from Scratch 3* (vol. 2 ch. 1): point ``i`` of arm ``j`` has radius
    ``r = i / n_per_class`` and angle ``theta = 4 j + 4 r + 0.2 * noise`` (noise standard
    normal), at ``(r sin theta, r cos theta)``; the points are then shuffled. The same seed
    always gives the same points (the default seed is the book's training seed, 1984; the
    values differ from the book's, which used NumPy's legacy generator).

    Shape:
        ``x``: ``(N, 2)`` float32; ``t``: ``(N,)`` int64; ``N = n_per_class * n_classes``.

    Args:
        n_per_class: points per arm.
        n_classes: arms (classes).
        seed: seed of the noise and the shuffle; None draws fresh entropy.
        transform: batch transform of the points.
        target_transform: batch transform of the labels.

    Raises:
        ValueError: ``n_per_class`` or ``n_classes`` below 1.

    Example:
        >>> ds = Spiral(seed=0)
        >>> ds.x.shape, ds.x.dtype, ds.t.shape, np.bincount(ds.t).tolist()
        ((300, 2), dtype('float32'), (300,), [100, 100, 100])
    """

    def __init__(self, n_per_class: int = 100, n_classes: int = 3, seed: int | None = 1984,
                 transform: Transform | None = None,
                 target_transform: Transform | None = None) -> None:
        for arg, value in (("n_per_class", n_per_class), ("n_classes", n_classes)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ArgumentError(f"Spiral: invalid {arg} {value!r} (must be an integer >= 1)")
        rng = np.random.default_rng(seed)
        rate = np.arange(n_per_class) / n_per_class            # (P,)
        arm = np.arange(n_classes)[:, None]                     # (C, 1)
        theta = 4.0 * arm + 4.0 * rate + 0.2 * rng.standard_normal((n_classes, n_per_class))
        x = np.stack([rate * np.sin(theta), rate * np.cos(theta)], axis=-1).reshape(-1, 2)
        t = np.repeat(np.arange(n_classes, dtype=np.int64), n_per_class)
        order = rng.permutation(len(t))
        super().__init__(x[order].astype(np.float32), t[order],
                         transform=transform, target_transform=target_transform)
        self.n_per_class, self.n_classes, self.seed = int(n_per_class), int(n_classes), seed

    @property
    def x(self) -> np.ndarray:
        """The points, ``(N, 2)`` float32, before any transform."""
        return self.arrays[0]

    @property
    def t(self) -> np.ndarray:
        """The labels (arm of each point), ``(N,)`` int64."""
        return self.arrays[1]

    def __repr__(self) -> str:
        return (f"Spiral(n_per_class={self.n_per_class}, n_classes={self.n_classes}, "
                f"seed={self.seed})")
