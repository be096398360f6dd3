"""``BPTTLoader``: one long token stream cut into (batch, time) windows for truncated
backpropagation through time, as the book's language-model trainer feeds its RNNLM."""
from __future__ import annotations

from typing import Iterator

import numpy as np

from autograd.errors import ArgumentError

from .loader import OnDevice


class BPTTLoader(OnDevice):
    """Windows of ``ids`` for a language model: ``(x, t)`` pairs of shape ``(batch_size,
    seq_len)``, ``t`` the next token of each ``x``.

    The stream is cut into ``batch_size`` rows of consecutive tokens (row i starts at
    ``i * (len(ids) - 1) // batch_size``; the tail that does not fill a row is dropped), and
    each batch takes the next ``seq_len`` columns. So row i of one batch continues row i of the
    batch before: carry the recurrent state over, detached (``h = h.detach()``), and the
    model sees one unbroken text per row while backward goes back ``seq_len`` steps only.
    Each ``for`` loop is one epoch, from the start; ``len()`` batches, the last columns that
    do not fill a window dropped. ``to(device)`` hands the windows out on a device: the rows
    are copied there once per epoch, each window a slice of them.

    >>> loader = BPTTLoader(np.arange(21), batch_size=2, seq_len=3)
    >>> [(x.tolist(), t.tolist()) for x, t in loader][0]
    ([[0, 1, 2], [10, 11, 12]], [[1, 2, 3], [11, 12, 13]])
    >>> len(loader)
    3
    """

    def __init__(self, ids: np.ndarray, batch_size: int, seq_len: int) -> None:
        ids = np.asarray(ids)
        if ids.ndim != 1 or ids.dtype.kind not in "iu":
            raise ArgumentError(f"BPTTLoader: expected a 1-d stream of integer ids, got "
                                f"{ids.dtype} of shape {ids.shape}")
        if int(batch_size) < 1 or int(seq_len) < 1:
            raise ArgumentError(f"BPTTLoader: batch_size and seq_len must be at least 1 (got "
                                f"{batch_size} and {seq_len})")
        row = (len(ids) - 1) // int(batch_size)
        if row < seq_len:
            raise ArgumentError(f"BPTTLoader: {len(ids)} tokens make rows of {row} for "
                                f"batch_size {batch_size}, shorter than seq_len {seq_len}")
        self.batch_size, self.seq_len = int(batch_size), int(seq_len)
        starts = np.arange(self.batch_size)[:, None] * row + np.arange(row)
        self.x, self.t = ids[starts], ids[starts + 1]

    def __len__(self) -> int:
        return self.x.shape[1] // self.seq_len

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        # one copy of the rows per epoch, not two small ones per window: a copy to a GPU waits
        # for it whatever its size
        x, t = self.on_device((self.x, self.t))
        for k in range(len(self)):
            window = slice(k * self.seq_len, (k + 1) * self.seq_len)
            yield x[:, window], t[:, window]
