"""Would Winograd F(2x2, 3x3) make DeepConvNet's convolutions faster in NumPy? (docs: "Speed
and memory", "Convolution algorithms").

Winograd's minimal filtering computes each 2x2 output tile of a 3x3 stride-1 convolution from
a 4x4 input tile with 16 products instead of 36: the input tiles go through B^T d B, the
filters through G g G^T, then 16 products (OC, C) @ (C, tiles), then A^T m A. That is 2.25x
fewer multiply-adds than im2col's product, but the three transforms are elementwise passes
over arrays 4x the input's size. This times the forward pass both ways on the six layers'
shapes (batch 100, float32, one BLAS thread), the transforms and the products apart, and checks
that both compute the same thing. A measurement, not a code path: zerograd keeps im2col.

    python -m bench.winograd [--rounds 5]
"""
from __future__ import annotations

import argparse
import time
from typing import Callable

import numpy as np

# (C, H, OC, padding) of DeepConvNet's 3x3 convolutions after the first (C = 1) one
LAYERS = ((16, 28, 16, 1), (16, 14, 32, 1), (32, 14, 32, 2), (32, 8, 64, 1), (64, 8, 64, 1))
G = np.array([[1, 0, 0], [.5, .5, .5], [.5, -.5, .5], [0, 0, 1]], np.float32)


def filter_transform(w: np.ndarray) -> np.ndarray:
    """G g G^T of every (OC, C) filter: (OC, C, 3, 3) -> (16, OC, C)."""
    return np.einsum("ai,ocij,bj->aboc", G, w, G).reshape(16, *w.shape[:2])


def _bt(rows: list[np.ndarray], out: np.ndarray) -> None:
    """B^T applied along the axis ``rows`` were taken from, written into out[0..3]."""
    np.subtract(rows[0], rows[2], out=out[0])
    np.add(rows[1], rows[2], out=out[1])
    np.subtract(rows[2], rows[1], out=out[2])
    np.subtract(rows[1], rows[3], out=out[3])


def input_transform(x: np.ndarray, pad: int) -> tuple[np.ndarray, tuple[int, int, int]]:
    """B^T d B of every overlapping 4x4 tile (stride 2): (N, C, H, W) -> (16, C, N TH TW),
    laid out for 16 products with no further copy; also (N, TH, TW)."""
    n, c, h, w = x.shape
    th, tw = (h + 2 * pad - 1) // 2, (w + 2 * pad - 1) // 2
    padded = np.zeros((c, n, 2 * th + 2, 2 * tw + 2), x.dtype)
    padded[:, :, pad:pad + h, pad:pad + w] = x.transpose(1, 0, 2, 3)[
        :, :, :2 * th + 2 - pad, :2 * tw + 2 - pad]
    rows = np.empty((4, c, n, th, 2 * tw + 2), x.dtype)
    _bt([padded[:, :, j:j + 2 * th:2] for j in range(4)], rows)
    v = np.empty((4, 4, c, n, th, tw), x.dtype)
    _bt([rows[..., j:j + 2 * tw:2] for j in range(4)], v.transpose(1, 0, 2, 3, 4, 5))
    return v.reshape(16, c, n * th * tw), (n, th, tw)


def output_transform(m: np.ndarray, tiles: tuple[int, int, int]) -> np.ndarray:
    """A^T m A of every tile: (16, OC, N TH TW) -> (N, OC, 2 TH, 2 TW)."""
    n, th, tw = tiles
    m = m.reshape(4, 4, -1, n, th, tw)
    half = np.empty((2,) + m.shape[1:], m.dtype)
    np.add(m[0], m[1], out=half[0])
    half[0] += m[2]
    np.subtract(m[1], m[2], out=half[1])
    half[1] -= m[3]
    y = np.empty((n, m.shape[2], th, 2, tw, 2), m.dtype)
    view = y.transpose(3, 5, 1, 0, 2, 4)  # (2, 2, OC, N, TH, TW)
    np.add(half[:, 0], half[:, 1], out=view[:, 0])
    view[:, 0] += half[:, 2]
    np.subtract(half[:, 1], half[:, 2], out=view[:, 1])
    view[:, 1] -= half[:, 3]
    return y.reshape(n, m.shape[2], 2 * th, 2 * tw)


def winograd_conv(x: np.ndarray, w: np.ndarray, pad: int) -> np.ndarray:
    """The 3x3 stride-1 cross-correlation (N, C, H, W) * (OC, C, 3, 3) -> (N, OC, OH, OW), for
    even OH and OW."""
    v, tiles = input_transform(x, pad)
    return output_transform(np.matmul(filter_transform(w), v), tiles)


def _best(f: Callable[[], object], rounds: int) -> float:
    f()
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        f()
        times.append(time.perf_counter() - began)
    return 1000 * min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.winograd", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5, help="timed calls; the best is shown")
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args(argv)

    import autograd as ag
    from nn.functional.im2col import correlate

    ag.set_num_threads(1)  # one thread, one BLAS thread: the algorithms, not the threads
    rng = np.random.default_rng(0)
    print("ms per forward pass, best of", args.rounds, "| layer: im2col  winograd "
          "(input transform + 16 products + output transform)  max relative difference")
    totals = np.zeros(2)
    for c, h, oc, pad in LAYERS:
        x = rng.standard_normal((args.batch, c, h, h), dtype=np.float32)
        w = rng.standard_normal((oc, c, 3, 3), dtype=np.float32)
        geometry = ((3, 3), (1, 1), (pad, pad), (1, 1))
        reference = correlate(x, w, *geometry)
        fast = winograd_conv(x, w, pad)
        diff = np.abs(fast.reshape(reference.shape) - reference).max() / np.abs(reference).max()
        u = filter_transform(w)
        v, tiles = input_transform(x, pad)
        m = np.matmul(u, v)
        times = [_best(lambda: correlate(x, w, *geometry), args.rounds),
                 _best(lambda: winograd_conv(x, w, pad), args.rounds),
                 _best(lambda: input_transform(x, pad), args.rounds),
                 _best(lambda: np.matmul(u, v), args.rounds),
                 _best(lambda: output_transform(m, tiles), args.rounds)]
        totals += times[:2]
        print(f"  {c:>2}->{oc:<2} {h}x{h} pad {pad}: {times[0]:6.2f}  {times[1]:6.2f} "
              f"({times[2]:.2f} + {times[3]:.2f} + {times[4]:.2f})  {diff:.1e}")
    print(f"  all five: im2col {totals[0]:.1f}, winograd {totals[1]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
