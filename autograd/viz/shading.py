"""``shade=``: one number per module (a gradient norm, say), drawn as the fill of the module's
frame or folded box, on a log scale from blue (smallest) through pale yellow to orange
(largest), with the number in the label.
"""
from __future__ import annotations

import math
from typing import Mapping

from ..errors import ArgumentError

# ColorBrewer RdYlBu, three classes: light enough that the labels stay readable
LOW, MIDDLE, HIGH = (0x91, 0xbf, 0xdb), (0xff, 0xff, 0xbf), (0xfc, 0x8d, 0x59)


class Shades:
    """Colours and label lines for the modules named in ``values`` (by module path as
    ``named_modules()`` gives it; ``""`` is the outermost module)."""

    def __init__(self, values: Mapping[str, float] | None, label: str) -> None:
        self.label = label
        self.values: dict[str, float] = {}
        for path, value in (values or {}).items():
            if not isinstance(path, str):
                raise ArgumentError(f"to_dot: shade maps module paths (str) to numbers, got a "
                                    f"{type(path).__name__} key")
            self.values[path] = float(value)
        usable = [math.log10(v) for v in self.values.values() if v > 0 and math.isfinite(v)]
        self.low, self.high = (min(usable), max(usable)) if usable else (0.0, 0.0)

    def __bool__(self) -> bool:
        return bool(self.values)

    def colour(self, path: str) -> str | None:
        """The fill for module ``path``, or None if it has no number (or a zero, NaN, inf)."""
        value = self.values.get(path)
        if value is None or not (value > 0 and math.isfinite(value)):
            return None
        return self.colour_of(value)

    def text(self, path: str) -> str | None:
        value = self.values.get(path)
        return None if value is None else f"{self.label} {value:.2g}"

    def legend(self) -> list[tuple[str, str]]:
        """(colour, text) cells for the caption: the two ends of the scale."""
        if not self.values:
            return []
        lo, hi = 10 ** self.low, 10 ** self.high
        return [(self.colour_of(lo), f"{self.label} {lo:.2g}"),
                (self.colour_of(hi), f"{hi:.2g}")]

    def colour_of(self, value: float) -> str:
        span = self.high - self.low
        t = 0.5 if span == 0 else (math.log10(value) - self.low) / span
        a, b, u = (LOW, MIDDLE, 2 * t) if t < 0.5 else (MIDDLE, HIGH, 2 * t - 1)
        return "#" + "".join(f"{round(x + (y - x) * u):02x}" for x, y in zip(a, b))
