"""Sphinx configuration for the zerograd documentation.

Build from the repository root:
``python -m sphinx -W -b html docs docs/_build/html`` and
``python -m sphinx -W -b doctest docs docs/_build/doctest``.
"""
import doctest
import os
import sys

# Import the packages from this checkout, not from whatever is installed as ``autograd``
# (the HIPS autograd on PyPI has the same import name).
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, ROOT)

import autograd  # noqa: E402

project = "zerograd"
author = "the zerograd authors"
copyright = "the zerograd authors, MIT License"  # noqa: A001 - Sphinx's name
version = release = autograd.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.doctest",
    "sphinx.ext.viewcode",
    "sphinx.ext.mathjax",
]

exclude_patterns = ["_build"]
root_doc = "index"
default_role = "py:obj"  # `Variable` links to its reference; anything else renders as code
pygments_style = "sphinx"

# Google-style docstrings (Args:, Returns:, Raises:, Shape:).
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_custom_sections = ["Shape"]

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_preserve_defaults = True

# The same option flags as pytest's doctest run (setup.cfg, [tool:pytest]) and no global setup,
# so a page passes under both or neither: every page imports what it uses.
doctest_default_flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

html_theme = "alabaster"
html_theme_options = {
    "description": "A define-by-run autograd engine on NumPy",
    "fixed_sidebar": True,
}
html_static_path: list = []
