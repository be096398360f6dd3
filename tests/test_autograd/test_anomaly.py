"""detect_anomaly: the first NaN or inf, in forward or in backward, stops with an AnomalyError
that names the op, the phase, the input shapes and dtypes and the user's line; outside the
mode nothing is checked or captured."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag
import nn


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():  # NumPy's own divide-by-zero warnings: the point here
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


class BadGradient(ag.Function):
    """Identity whose array gradient (fast_backward) is NaN."""

    def forward(self, x):
        return x.copy()

    def backward(self, grad):
        return grad * np.nan

    def fast_backward(self, grad):
        return np.full(grad.shape, np.nan)


def _line_of(text: str) -> int:
    import inspect
    source, start = inspect.getsourcelines(inspect.currentframe().f_back.f_code)
    return start + next(i for i, s in enumerate(source) if text in s)


def test_forward_anomaly_names_op_inputs_and_line():
    x = ag.Variable(np.array([1.0, -1.0, 2.0]))
    with ag.detect_anomaly(), pytest.raises(ag.AnomalyError) as info:
        y = ag.log(x * 2)  # the line
    line = _line_of("# the line")
    err = info.value
    assert err.phase == "forward" and type(err.function).__name__ == "Log"
    msg = str(err)
    assert "Log produced nan in forward (output 0 of shape (3,), float64)" in msg
    assert "inputs: float64 (3,)" in msg
    assert f"test_anomaly.py:{line}, in test_forward_anomaly_names_op_inputs_and_line" in msg
    assert "y = ag.log(x * 2)" in msg
    assert err.outputs and err.outputs[0].creator is err.function


def test_backward_anomaly_in_an_array_gradient_names_the_forward_line():
    x = ag.Variable(np.ones(3))
    with ag.detect_anomaly():
        y = BadGradient()(x * 3)  # created here
        with pytest.raises(ag.AnomalyError) as info:
            y.sum().backward()
    line = _line_of("# created here")
    err = info.value
    assert err.phase == "backward" and isinstance(err.function, BadGradient)
    msg = str(err)
    assert "BadGradient's backward produced nan in the gradient of input 0 (shape (3,))" in msg
    assert f"test_anomaly.py:{line}" in msg and "inputs: float64 (3,)" in msg
    assert err.outputs and err.outputs[0].shape == ()  # drawn from where backward started


def test_backward_anomaly_in_a_variable_backward():
    x = ag.Variable(np.array([0.0, 4.0]))
    with ag.detect_anomaly(), pytest.raises(ag.AnomalyError) as info:
        y = ag.sqrt(x).sum()  # sqrt has an infinite slope at 0
        y.backward()
    err = info.value
    assert err.phase == "backward" and type(err.function).__name__ == "Pow"
    assert "Pow's backward produced inf" in str(err) and "ag.sqrt(x).sum()" in str(err)


def test_the_gradient_given_to_backward_is_checked():
    x = ag.Variable(np.ones(2))
    with ag.detect_anomaly(), pytest.raises(ag.AnomalyError, match="given to backward"):
        (x * 2).backward(np.array([1.0, np.inf]))


def test_an_input_that_was_already_bad_is_said_so():
    with ag.detect_anomaly(), pytest.raises(ag.AnomalyError, match="input 0 already held"):
        ag.exp(ag.Variable(np.array([np.nan])))


def test_ops_not_recorded_are_checked_too():
    with ag.detect_anomaly(), ag.no_grad(), pytest.raises(ag.AnomalyError, match="Div"):
        ag.Variable(np.ones(1)) / 0.0


def test_module_errors_point_at_the_users_code():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(2, 2)

        def forward(self, x):
            return ag.log(self.fc(x) - 100.0)  # user code inside a module

    nn.manual_seed(0)
    with ag.detect_anomaly(), pytest.raises(ag.AnomalyError) as info:
        Net()(np.array([[1.0, -1.0]], np.float32))
    assert "return ag.log(self.fc(x) - 100.0)" in str(info.value)


def test_the_error_draws_the_graph_with_the_op_marked(tmp_path):
    x = ag.Variable(np.ones(3), name="x")
    with ag.detect_anomaly():
        y = (BadGradient()(x * 3) * 2).sum()
        with pytest.raises(ag.AnomalyError) as info:
            y.backward()
    path = info.value.render(tmp_path / "anomaly.dot")
    text = open(path).read()
    marked = [line for line in text.splitlines() if "penwidth=3" in line]
    assert len(marked) == 1 and "BadGradient" in marked[0] and "#ff6b6b" in marked[0]
    assert "Sum" in text and "Mul" in text  # the whole graph, from the loss


def test_without_check_nan_only_lines_are_kept():
    x = ag.Variable(np.array([-1.0]))
    with ag.detect_anomaly(check_nan=False):
        y = ag.log(x)
    assert y.creator.anomaly_frame[3] == "y = ag.log(x)"


def test_outside_the_mode_nothing_is_checked_or_captured():
    x = ag.Variable(np.array([-1.0]))
    y = ag.log(x)
    assert np.isnan(y.data[0]) and not hasattr(y.creator, "anomaly_frame")
    assert not ag.is_anomaly_enabled()


def test_switches_nest_and_decorate():
    with ag.detect_anomaly():
        assert ag.is_anomaly_enabled()
        with ag.set_detect_anomaly(False):
            assert not ag.is_anomaly_enabled()
            ag.log(ag.Variable(np.array([-1.0])))  # not checked
        assert ag.is_anomaly_enabled()
    assert not ag.is_anomaly_enabled()

    @ag.detect_anomaly()
    def bad():
        return ag.log(ag.Variable(np.array([-1.0])))

    with pytest.raises(ag.AnomalyError):
        bad()
    assert not ag.is_anomaly_enabled()


def test_a_caught_error_leaves_the_mode_usable():
    x = ag.Variable(np.array([0.0]))
    with ag.detect_anomaly():
        with pytest.raises(ag.AnomalyError):
            ag.sqrt(x).sum().backward()
        with pytest.raises(ag.AnomalyError, match="Log produced .* in forward"):
            ag.log(x - 1)  # attributed to forward again, not to the failed backward
