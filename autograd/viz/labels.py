"""The text inside graph nodes: value summaries, op parameters, and DOT quoting."""
from __future__ import annotations

from typing import Any

import numpy as np

SMALL = 6  # arrays with at most this many elements are shown in full
_PRIMES = ("", "\u2032", "\u2033", "\u2034")  # f, f', f'', f'''
_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def summary(a: Any) -> str:
    """A short description of an array's values: itself when small, else min/mean/max.

    >>> summary(np.array([1.0, 2.5]))
    '[1, 2.5]'
    >>> summary(np.arange(10.0))
    'min 0 mean 4.5 max 9'
    """
    a = np.asarray(a)
    if a.size == 0:
        return "empty"
    if a.size <= SMALL:
        if a.ndim == 0:
            return _number(a.item())
        return np.array2string(a, separator=", ", formatter={"all": _number}).replace("\n", "")
    finite = a[np.isfinite(a)] if a.dtype.kind == "f" else a
    text = "no finite values" if finite.size == 0 else \
        f"min {_number(finite.min())} mean {_number(finite.mean())} max {_number(finite.max())}"
    bad = a.size - finite.size
    return text + (f" ({bad} nan/inf)" if bad else "")


def _number(x: Any) -> str:
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    return f"{float(x):.4g}"


def param(value: Any) -> str:
    """One op parameter as it reads in a label: slices as ``a:b``, arrays by shape and dtype.

    >>> param((slice(None), 2)), param(np.zeros((2, 3), dtype=np.int64)), param("mean")
    ('(:, 2)', '<(2, 3) int64>', 'mean')
    """
    if isinstance(value, slice):
        parts = ["" if v is None else str(v) for v in (value.start, value.stop, value.step)]
        return ":".join(parts[:2] if value.step is None else parts)
    if isinstance(value, np.ndarray):
        return _number(value.item()) if value.ndim == 0 else f"<{value.shape} {value.dtype}>"
    if isinstance(value, tuple):
        inner = ", ".join(param(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(param(v) for v in value) + "]"
    if isinstance(value, (float, np.floating, int, np.integer, bool, np.bool_)):
        return _number(value)
    if isinstance(value, np.dtype) or (isinstance(value, type) and issubclass(value, np.generic)):
        return np.dtype(value).name
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 24 else text[:21] + "..."


def params_line(params: dict[str, Any], width: int = 36) -> list[str]:
    """``key=value`` pairs of an op's parameters, wrapped into lines of about ``width``;
    parameters left at None or False (``axis=None``, ``keepdims=False``) are left out.

    >>> params_line({"kernel": (5, 5), "stride": (1, 1), "padding": (0, 0)}, width=30)
    ['kernel=(5, 5) stride=(1, 1)', 'padding=(0, 0)']
    >>> params_line({"axis": None, "keepdims": False})
    []
    """
    lines: list[str] = []
    for key, value in params.items():
        if value is None or value is False:
            continue
        item = f"{key}={param(value)}"
        if lines and len(lines[-1]) + 1 + len(item) <= width:
            lines[-1] += " " + item
        else:
            lines.append(item)
    return lines


def shape(a: Any) -> str:
    """``(2, 3) float32``: the shape and dtype of an array.

    >>> shape(np.zeros((2, 3), dtype=np.float32))
    '(2, 3) float32'
    """
    name = _DTYPE_NAMES.get(a.dtype)
    if name is None:
        name = _DTYPE_NAMES[a.dtype] = str(a.dtype)
    return f"{a.shape} {name}"


_DTYPE_NAMES: dict[Any, str] = {}  # str(dtype) is slow enough to matter on 10,000 nodes


def primes(order: int) -> str:
    """The derivative mark after an op's name: one prime per order, ``⁽⁴⁾`` from the 4th on.

    >>> "Mul" + primes(2), "Mul" + primes(12)
    ('Mul″', 'Mul⁽¹²⁾')
    """
    if order < len(_PRIMES):
        return _PRIMES[order]
    return "\u207d" + str(order).translate(_SUPERSCRIPTS) + "\u207e"


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, ... 11th, 12th, 13th, 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def quote(text: str) -> str:
    """``text`` as a DOT string: backslashes and quotes escaped, newlines as ``\\n``."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def html(text: str) -> str:
    """``text`` escaped for an HTML-like DOT label."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
