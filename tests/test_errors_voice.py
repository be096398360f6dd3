"""One error voice: every error zerograd raises on purpose is a ``ZerogradError`` and also the
builtin it refines, so both ``except ZerogradError`` and ``except ValueError`` catch it.

Checked on the source with ``ast``: no ``raise`` names a builtin exception class, and every
exception class the packages define derives from ``ZerogradError`` and from a builtin more
specific than ``Exception``.
"""
from __future__ import annotations

import ast
import builtins
import importlib
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("autograd", "nn", "optim")

# Control flow, not errors: a raise of these is never a message to the user.
NOT_ERRORS = {"StopIteration", "SystemExit", "KeyboardInterrupt", "GeneratorExit"}
BUILTIN_EXCEPTIONS = {name: obj for name, obj in vars(builtins).items()
                      if isinstance(obj, type) and issubclass(obj, BaseException)}
BARE = frozenset(BUILTIN_EXCEPTIONS) - NOT_ERRORS

def _sources() -> Iterator[tuple[str, ast.Module]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text("utf-8"), str(path))


SOURCES = list(_sources())


def _raised_name(node: ast.Raise) -> str | None:
    """The builtin exception class a ``raise X(...)``/``raise X``/``raise builtins.X`` names."""
    exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
    if isinstance(exc, ast.Name):
        return exc.id if exc.id in BARE else None
    if (isinstance(exc, ast.Attribute) and isinstance(exc.value, ast.Name)
            and exc.value.id == "builtins" and exc.attr in BARE):
        return exc.attr
    return None


def _bare_raises() -> list[tuple[str, int, str]]:
    """(path, line, exception name) of every raise of a builtin exception class."""
    found = []
    for path, tree in SOURCES:
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise) and node.exc is not None:
                name = _raised_name(node)
                if name is not None:
                    found.append((path, node.lineno, name))
    return found


def test_sources_are_found() -> None:
    paths = {path for path, _ in SOURCES}
    assert {"autograd/errors.py", "nn/module.py", "optim/optimizer.py"} <= paths


def test_no_bare_builtin_raise() -> None:
    offenders = [f"{path}:{line}: raise {name}" for path, line, name in _bare_raises()]
    assert not offenders, ("raise a ZerogradError subclass from autograd.errors (or the "
                           "package's own) instead of a bare builtin:\n" + "\n".join(offenders))


def _exception_classes() -> Iterator[tuple[str, str]]:
    """(module, class name) of each module-level class whose bases end in Error or Exception."""
    for path, tree in SOURCES:
        module = path[:-len(".py")].replace("/", ".").removesuffix(".__init__")
        for node in tree.body:
            if not isinstance(node, ast.ClassDef):
                continue
            bases = [b.id if isinstance(b, ast.Name) else b.attr if isinstance(b, ast.Attribute)
                     else "" for b in node.bases]
            if any(b.endswith(("Error", "Exception")) for b in bases):
                yield module, node.name


EXCEPTION_CLASSES = sorted(_exception_classes())


def test_exception_classes_are_found() -> None:
    names = {name for _, name in EXCEPTION_CLASSES}
    assert {"ZerogradError", "ShapeError", "StateDictError", "OptimizerError"} <= names


@pytest.mark.parametrize("module, name", EXCEPTION_CLASSES,
                         ids=[f"{m}.{n}" for m, n in EXCEPTION_CLASSES])
def test_exception_class_speaks_with_one_voice(module: str, name: str) -> None:
    from autograd.errors import ZerogradError

    cls = getattr(importlib.import_module(module), name)
    assert cls.__doc__, f"{module}.{name} has no docstring"
    if cls is ZerogradError:
        return
    assert issubclass(cls, ZerogradError), f"{module}.{name} does not derive from ZerogradError"
    builtin = [b.__name__ for b in cls.__mro__
               if BUILTIN_EXCEPTIONS.get(b.__name__) is b and b not in (Exception, BaseException)]
    assert builtin, (f"{module}.{name} derives from no builtin more specific than Exception "
                     f"(add ValueError, TypeError, ... as a second base)")
