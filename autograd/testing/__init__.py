"""Property testing with Hypothesis: strategies for values, shapes and layer geometries, and
gradient tests in one line, for a function (``gradient_test``) or a module's inputs and
parameters (``module_gradient_test``).

Values come from a ``Domain`` that keeps away from an op's kinks and poles (``log`` needs
positive inputs, ``abs`` none near 0, ``max`` no ties), never from the hard-but-smooth cases;
``TIED`` draws the ties and kinks themselves, for the tests of tie rules.

>>> import autograd as ag
>>> from autograd.testing import arrays, gradient_test
>>> test_tanh = gradient_test(ag.tanh, arrays())   # pytest collects and runs it
"""
from .strategies import (  # noqa: F401
    DISTINCT, DOMAINS, NONZERO, POSITIVE, REAL, TIED, UNIT, Args, Domain, arrays, axes,
    broadcastable_arrays, broadcastable_shapes, elements, indices, matmul_arrays,
    matmul_shapes, shapes,
)
from .geometry import conv_geometry, output_size, pool_geometry, sequence_geometry  # noqa: F401
from .gradients import (  # noqa: F401
    check_module_gradients, gradient_test, module_gradient_test,
)
