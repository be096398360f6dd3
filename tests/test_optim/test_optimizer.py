"""The Optimizer base: parameter groups, zero_grad, skipping, step without a graph, dtypes,
state_dict round trips (also through .npz without pickle) and errors for bad input."""
from __future__ import annotations

import ast
import copy
import io
import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import autograd as ag
import optim
from autograd.errors import GraphError, OpTypeError, ZerogradError
from optim import OptimizerError

from .configs import CONFIGS, IDS, gradients, initial_values, set_grads


def w(value=(1.0, -2.0)) -> ag.Variable:
    return ag.Variable(np.array(value))


def test_param_groups_take_defaults_and_override_them():
    a, b = w(), w()
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert [g["momentum"] for g in opt.param_groups] == [0.9, 0.9]
    assert opt.param_groups[1]["params"][0] is b
    a.grad, b.grad = ag.Variable([1.0, 1.0]), ag.Variable([1.0, 1.0])
    opt.step()
    np.testing.assert_allclose(a.data, [0.9, -2.1])
    np.testing.assert_allclose(b.data, [0.5, -2.5])


def test_add_param_group_and_extra_keys():
    a, b = w(), w()
    opt = optim.Adam([a], lr=0.1)
    opt.add_param_group({"params": [b], "lr": 0.01, "name": "head"})
    assert opt.param_groups[1]["lr"] == 0.01
    assert opt.param_groups[1]["betas"] == (0.9, 0.999)
    assert opt.param_groups[1]["name"] == "head"
    with pytest.raises(OptimizerError, match=r"parameter 0 of group 2 is already in group 1"):
        opt.add_param_group({"params": [b]})


def test_hyperparameters_are_stored_as_python_scalars():
    opt = optim.Adam([w()], lr=np.float64(0.1), betas=np.array([0.8, 0.9]), amsgrad=np.True_)
    group = opt.param_groups[0]
    assert type(group["lr"]) is float and type(group["amsgrad"]) is bool
    assert group["betas"] == (0.8, 0.9) and all(type(b) is float for b in group["betas"])


def test_a_generator_and_a_single_variable_are_accepted():
    a, b = w(), w()
    assert optim.SGD((p for p in [a, b])).param_groups[0]["params"] == [a, b]
    assert optim.SGD(a).param_groups[0]["params"] == [a]


def test_zero_grad_sets_grad_to_none():
    a, b = w(), w()
    opt = optim.SGD([a, b], lr=0.1)
    (a * b).sum().backward()
    assert a.grad is not None and b.grad is not None
    opt.zero_grad()
    assert a.grad is None and b.grad is None


def test_parameters_without_grad_are_skipped():
    a, b = w(), w()
    opt = optim.Adam([a, b], lr=0.1)
    a.grad = ag.Variable([1.0, 1.0])
    before = b.data
    opt.step()
    np.testing.assert_array_equal(b.data, [1.0, -2.0])
    assert b.data is before
    assert b not in opt.state and opt.state[a]["step"] == 1


def test_step_updates_out_of_place_and_records_no_graph():
    a = w()
    loss = (a * a).sum()
    loss.backward(retain_graph=True)
    before = a.data
    optim.SGD([a], lr=0.1).step()  # in place would fail: the graph froze a's array
    assert a.data is not before
    np.testing.assert_array_equal(before, [1.0, -2.0])
    assert a.is_leaf and a.creator is None and a.requires_grad
    with pytest.raises(GraphError, match="modified after the forward pass"):
        loss.backward()


def test_step_leaves_the_gradient_untouched():
    a = w()
    a.grad = ag.Variable([1.0, 2.0])
    grad = a.grad.data
    opt = optim.SGD([a], lr=0.1, momentum=0.9, weight_decay=0.1)
    opt.step()
    opt.step()
    np.testing.assert_array_equal(grad, [1.0, 2.0])
    assert opt.state[a]["momentum_buffer"] is not grad


def test_closure_is_evaluated_with_grad_enabled():
    a = w()
    opt = optim.SGD([a], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (a * a).sum()
        loss.backward()
        return loss

    with ag.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 5.0
    np.testing.assert_allclose(a.data, [0.8, -1.6])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("config", CONFIGS, ids=IDS)
def test_dtype_is_preserved(config, dtype):
    params = [ag.Variable(v) for v in initial_values(dtype=dtype)]
    opt = config.cls(params, **config.kwargs)
    for grads in gradients(4, dtype=np.float64):  # gradients of another dtype are cast
        set_grads(params, grads)
        opt.step()
    for p in params:
        assert p.dtype == dtype
        for value in opt.state[p].values():
            assert not isinstance(value, np.ndarray) or value.dtype == dtype


def _train(config, values, grads_per_step, state_dict=None):
    params = [ag.Variable(v.copy()) for v in values]
    opt = config.cls(params, **config.kwargs)
    if state_dict is not None:
        opt.load_state_dict(state_dict)
    for grads in grads_per_step:
        set_grads(params, grads)
        opt.step()
    return opt, [p.data for p in params]


@pytest.mark.parametrize("config", CONFIGS, ids=IDS)
def test_state_dict_round_trip_continues_identically(config):
    grads = gradients(6)
    opt, values = _train(config, initial_values(), grads[:3])
    saved = opt.state_dict()
    snapshot = copy.deepcopy(saved)
    # Continue the original optimizer, and a fresh one loaded from the saved state.
    params = opt.param_groups[0]["params"]
    for g in grads[3:]:
        set_grads(params, g)
        opt.step()
    _, resumed = _train(config, values, grads[3:], state_dict=saved)
    for a, b in zip(params, resumed):
        np.testing.assert_array_equal(a.data, b)
    # The saved dict is a snapshot: training on did not change it.
    _assert_same(saved, snapshot)


def _assert_same(x, y):
    assert type(x) is type(y)
    if isinstance(x, dict):
        assert x.keys() == y.keys()
        for k in x:
            _assert_same(x[k], y[k])
    elif isinstance(x, (list, tuple)):
        assert len(x) == len(y)
        for a, b in zip(x, y):
            _assert_same(a, b)
    elif isinstance(x, np.ndarray):
        np.testing.assert_array_equal(x, y)
    else:
        assert x == y


def _to_arrays(state_dict) -> dict[str, np.ndarray]:
    out = {}
    for i, entry in state_dict["state"].items():
        for k, v in entry.items():
            out[f"state/{i}/{k}"] = np.asarray(v)
    for g, group in enumerate(state_dict["param_groups"]):
        for k, v in group.items():
            out[f"param_groups/{g}/{k}"] = np.asarray(v)
    return out


def _from_arrays(files) -> dict:
    state: dict = {}
    groups: dict = {}
    for key in files.files:
        kind, i, name = key.split("/")
        (state if kind == "state" else groups).setdefault(int(i), {})[name] = files[key]
    return {"state": state, "param_groups": [groups[g] for g in sorted(groups)]}


@pytest.mark.parametrize("config", CONFIGS, ids=IDS)
def test_state_dict_survives_npz_without_pickle(config):
    grads = gradients(6)
    opt, values = _train(config, initial_values(), grads[:3])
    for v in _to_arrays(opt.state_dict()).values():
        assert v.dtype != object
    buffer = io.BytesIO()
    np.savez(buffer, **_to_arrays(opt.state_dict()))
    buffer.seek(0)
    with np.load(buffer, allow_pickle=False) as files:
        loaded = _from_arrays(files)
    _, straight = _train(config, values, grads[3:], state_dict=opt.state_dict())
    _, resumed = _train(config, values, grads[3:], state_dict=loaded)
    for a, b in zip(straight, resumed):
        np.testing.assert_array_equal(a, b)


def test_state_dict_layout():
    a, b = w(), w()
    opt = optim.Adam([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    a.grad = ag.Variable([1.0, 1.0])
    opt.step()
    sd = opt.state_dict()
    assert sd["param_groups"] == [
        {"lr": 0.1, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0,
         "amsgrad": False, "params": [0]},
        {"lr": 0.5, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0,
         "amsgrad": False, "params": [1]}]
    assert list(sd["state"]) == [0]
    assert sd["state"][0]["step"] == 1
    np.testing.assert_allclose(sd["state"][0]["exp_avg"], [0.1, 0.1])
    assert sd["state"][0]["exp_avg"] is not opt.state[a]["exp_avg"]


def test_load_state_dict_restores_hyperparameters_and_casts_state():
    a = ag.Variable(np.array([1.0, 2.0], dtype=np.float32))
    opt = optim.SGD([a], lr=0.1, momentum=0.9)
    opt.load_state_dict({"state": {0: {"momentum_buffer": [1.0, 1.0]}},
                         "param_groups": [{"lr": 0.5, "momentum": 0.5, "params": [0]}]})
    assert opt.param_groups[0]["lr"] == 0.5 and opt.param_groups[0]["params"] == [a]
    assert opt.param_groups[0]["nesterov"] is False  # missing keys take the defaults
    assert opt.state[a]["momentum_buffer"].dtype == np.float32


def _errors():
    def sgd(**kw):
        return lambda: optim.SGD([w()], **kw)

    return [
        (sgd(lr=-0.1), OptimizerError, r"^SGD: invalid learning rate -0\.1 \(must be >= 0\)$"),
        (sgd(lr=float("nan")), OptimizerError, r"^SGD: invalid learning rate nan"),
        (sgd(lr="fast"), OpTypeError, r"^SGD: learning rate must be a real number, got 'fast'"),
        (sgd(momentum=-0.5), OptimizerError, r"^SGD: invalid momentum -0\.5 \(must be >= 0\)$"),
        (sgd(dampening=1.5), OptimizerError,
         r"^SGD: invalid dampening 1\.5 \(must be in \[0, 1\]\)$"),
        (sgd(weight_decay=-1e-4), OptimizerError,
         r"^SGD: invalid weight_decay -0\.0001 \(must be >= 0\)$"),
        (sgd(nesterov=True), OptimizerError,
         r"^SGD: nesterov momentum needs momentum > 0 and dampening 0 \(got momentum=0\.0"),
        (sgd(momentum=0.9, dampening=0.1, nesterov=True), OptimizerError,
         r"dampening 0 \(got momentum=0\.9, dampening=0\.1\)"),
        (sgd(nesterov="yes"), OpTypeError, r"^SGD: nesterov must be True or False, got 'yes'"),
        (lambda: optim.Momentum([w()], lr=-1), OptimizerError,
         r"^Momentum: invalid learning rate -1 \(must be >= 0\)$"),
        (lambda: optim.AdaGrad([w()], lr_decay=-1), OptimizerError,
         r"^AdaGrad: invalid lr_decay -1 \(must be >= 0\)$"),
        (lambda: optim.AdaGrad([w()], initial_accumulator_value=-1), OptimizerError,
         r"^AdaGrad: invalid initial_accumulator_value -1"),
        (lambda: optim.AdaGrad([w()], eps=-1e-10), OptimizerError,
         r"^AdaGrad: invalid eps -1e-10 \(must be >= 0\)$"),
        (lambda: optim.RMSprop([w()], alpha=1.5), OptimizerError,
         r"^RMSprop: invalid alpha 1\.5 \(must be in \[0, 1\]\)$"),
        (lambda: optim.RMSprop([w()], momentum=-0.1), OptimizerError,
         r"^RMSprop: invalid momentum -0\.1"),
        (lambda: optim.RMSprop([w()], centered=1), OpTypeError,
         r"^RMSprop: centered must be True or False, got 1"),
        (lambda: optim.Adam([w()], betas=(1.0, 0.999)), OptimizerError,
         r"^Adam: invalid betas\[0\] 1\.0 \(must be in \[0, 1\)\)$"),
        (lambda: optim.Adam([w()], betas=(0.9, -0.1)), OptimizerError,
         r"^Adam: invalid betas\[1\] -0\.1 \(must be in \[0, 1\)\)$"),
        (lambda: optim.Adam([w()], betas=0.9), OptimizerError,
         r"^Adam: betas must be a pair \(beta1, beta2\), got 0\.9$"),
        (lambda: optim.Adam([w()], eps=-1e-8), OptimizerError,
         r"^Adam: invalid eps -1e-08 \(must be >= 0\)$"),
        (lambda: optim.Adam([w()], weight_decay=-1), OptimizerError,
         r"^Adam: invalid weight_decay -1 \(must be >= 0\)$"),
        (lambda: optim.AdamW([w()], weight_decay=-0.01), OptimizerError,
         r"^AdamW: invalid weight_decay -0\.01 \(must be >= 0\)$"),
        (lambda: optim.AdamW([w()], amsgrad=None), OpTypeError,
         r"^AdamW: amsgrad must be True or False, got None$"),
        (lambda: optim.SGD([{"params": [w()], "lr": -1}], lr=0.1), OptimizerError,
         r"^SGD: invalid learning rate -1 in parameter group 0 \(must be >= 0\)$"),
        (lambda: optim.SGD([{"params": [w()]}], lr=-1), OptimizerError,
         r"^SGD: invalid learning rate -1 \(must be >= 0\)$"),
        (lambda: optim.SGD([], lr=0.1), OptimizerError, r"^SGD: got an empty parameter list$"),
        (lambda: optim.Adam(iter([])), OptimizerError, r"^Adam: got an empty parameter list$"),
        (lambda: optim.SGD([{"params": []}]), OptimizerError,
         r"^SGD: parameter group 0 is empty$"),
        (lambda: optim.SGD([{"lr": 0.1}]), OptimizerError,
         r"^SGD: parameter group 0 has no 'params' entry$"),
        (lambda: optim.SGD([w(), ag.Variable([1.0], requires_grad=False)]), OptimizerError,
         r"^SGD: parameter 1 of group 0 does not require grad \(shape \(1,\), dtype float64\)"),
        (lambda: optim.SGD([ag.Variable([1, 2])]), OptimizerError,
         r"parameter 0 of group 0 does not require grad \(shape \(2,\), dtype int64\)"),
        (lambda: optim.SGD([w() * 2]), OptimizerError,
         r"^SGD: parameter 0 of group 0 is not a leaf \(it was computed by Mul\)"),
        (lambda: optim.SGD([np.zeros(2)]), OpTypeError,
         r"^SGD: parameter 0 of group 0 is a ndarray, not a Variable$"),
        (lambda: optim.SGD({w(), w()}), OpTypeError,
         r"^SGD: params must be an iterable with a fixed order .*, got a set$"),
        (lambda: optim.SGD([{"params": {w()}}]), OpTypeError,
         r"^SGD: the params of group 0 must be an iterable with a fixed order .*got a set$"),
        (lambda: optim.SGD(3), OpTypeError,
         r"^SGD: params must be an iterable of Variables or of parameter-group dicts, got int$"),
        (lambda: optim.SGD([w(), {"params": [w()]}]), OpTypeError,
         r"^SGD: params mixes Variables and parameter-group dicts"),
    ]


@pytest.mark.parametrize("make, error, pattern", _errors())
def test_bad_input_is_refused_with_a_clear_message(make, error, pattern):
    with pytest.raises(error, match=pattern) as info:
        make()
    assert isinstance(info.value, ZerogradError)


def test_duplicate_parameters_are_refused():
    a, b = w(), w()
    with pytest.raises(OptimizerError,
                       match=r"^SGD: parameter 2 of group 0 is already earlier in the same group"):
        optim.SGD([a, b, a])
    with pytest.raises(OptimizerError, match=r"^SGD: parameter 1 of group 1 is already in "
                                             r"group 0 \(a parameter may appear only once\)$"):
        optim.SGD([{"params": [a]}, {"params": [b, a]}])


def test_a_gradient_of_the_wrong_shape_is_refused():
    a = w()
    a.grad = ag.Variable([1.0, 2.0, 3.0])
    with pytest.raises(OptimizerError, match=r"^SGD: the gradient of parameter 0 of group 0 "
                                             r"has shape \(3,\), the parameter \(2,\)$"):
        optim.SGD([a], lr=0.1).step()


def _stepped_adam(n_groups=1):
    params = [w() for _ in range(2)]
    groups = [{"params": params}] if n_groups == 1 else [{"params": [p]} for p in params]
    opt = optim.Adam(groups, lr=0.1)
    for p in params:
        p.grad = ag.Variable([1.0, 1.0])
    opt.step()
    return opt


@pytest.mark.parametrize("change, pattern", [
    (lambda sd: sd.pop("state"), r"^Adam: a state_dict needs the keys 'param_groups' and "
                                 r"'state' \(got \['param_groups'\]\)$"),
    (lambda sd: sd["param_groups"].append(dict(sd["param_groups"][0])),
     r"^Adam: the state_dict has 2 parameter groups, the optimizer 1$"),
    (lambda sd: sd["param_groups"][0]["params"].pop(),
     r"^Adam: parameter group 0 has 1 parameters in the state_dict, 2 in the optimizer$"),
    (lambda sd: sd["param_groups"][0].pop("params"),
     r"^Adam: parameter group 0 of the state_dict has no 'params' entry$"),
    (lambda sd: sd["state"][1].update(exp_avg=np.zeros(3)),
     r"^Adam: state 'exp_avg' of parameter 1 has shape \(3,\), the parameter \(2,\)$"),
    (lambda sd: sd["state"][0].update(momentum_buffer=np.zeros(2)),
     r"^Adam: unexpected state 'momentum_buffer' for parameter 0 \(expected some of step, "
     r"exp_avg, exp_avg_sq, max_exp_avg_sq\)$"),
    (lambda sd: sd["state"].update({5: {}}),
     r"^Adam: the state_dict has state for parameter 5, which none of its parameter groups"),
    (lambda sd: sd["param_groups"][0].update(lr=-1.0),
     r"^Adam: invalid learning rate -1\.0 in parameter group 0 of the state_dict "
     r"\(must be >= 0\)$"),
])
def test_load_state_dict_refuses_what_does_not_fit(change, pattern):
    opt = _stepped_adam()
    sd = opt.state_dict()
    change(sd)
    before = opt.state_dict()
    with pytest.raises(OptimizerError, match=pattern):
        opt.load_state_dict(sd)
    _assert_same(opt.state_dict(), before)  # nothing changed


def test_loading_another_optimizers_state_is_refused():
    sgd = optim.SGD([w()], lr=0.1, momentum=0.9)
    sgd.param_groups[0]["params"][0].grad = ag.Variable([1.0, 1.0])
    sgd.step()
    adam = optim.Adam([w()])
    with pytest.raises(OptimizerError, match=r"^Adam: parameter group 0 of the state_dict has "
                                             r"hyperparameters Adam does not have: dampening, "
                                             r"momentum, nesterov"):
        adam.load_state_dict(sgd.state_dict())
    sd = sgd.state_dict()  # with Adam's hyperparameters, the state itself is still refused
    sd["param_groups"] = adam.state_dict()["param_groups"]
    with pytest.raises(OptimizerError, match=r"^Adam: unexpected state 'momentum_buffer'"):
        adam.load_state_dict(sd)


def test_repr_lists_the_groups():
    text = repr(optim.SGD([{"params": [w()]}, {"params": [w(), w()], "lr": 0.5}], lr=0.1))
    assert text.startswith("SGD(\n")
    assert "group 0: 1 parameters, lr=0.1," in text and "group 1: 2 parameters, lr=0.5," in text


def test_optim_imports_only_autograd_numpy_and_the_standard_library():
    allowed = {"__future__", "autograd", "numpy", "math", "numbers", "typing"}
    root = pathlib.Path(optim.__file__).parent
    for path in sorted(root.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in allowed, f"{path.name} imports {name}"
    code = "import sys, optim; print(sorted(m for m in sys.modules if m in ('nn', 'torch')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=root.parent)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("config", CONFIGS, ids=IDS)
def test_param_groups_survive_json(config):
    """Hyperparameters are plain numbers and bools (betas a tuple, read back as a list)."""
    opt, _ = _train(config, initial_values(), gradients(2))
    sd = opt.state_dict()
    sd["param_groups"] = json.loads(json.dumps(sd["param_groups"]))
    opt.load_state_dict(sd)
    assert opt.state_dict()["param_groups"] == config.cls(
        [ag.Variable(v) for v in initial_values()], **config.kwargs).state_dict()["param_groups"]


def test_loading_another_optimizers_hyperparameters_is_refused() -> None:
    p = ag.Variable(np.ones(2))
    adam = optim.Adam([p], lr=0.1)
    sgd = optim.SGD([p], lr=0.5)
    with pytest.raises(optim.OptimizerError, match=r"SGD: parameter group 0 of the state_dict "
                                                   r"has hyperparameters SGD does not have: "
                                                   r"amsgrad, betas, eps"):
        sgd.load_state_dict(adam.state_dict())
    assert sgd.param_groups[0]["lr"] == 0.5
