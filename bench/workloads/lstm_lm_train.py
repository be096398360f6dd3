"""LSTM language-model training step (vol 2's Rnnlm settings): vocabulary 10,000, embedding
100, one LSTM layer of 100, batch 20 x 35 time steps, SGD (lr 0.1) on the mean cross-entropy
of the 700 next-word predictions, the state carried from step to step, detached (truncated
BPTT).

Bounded by the output layer, (700, 100) @ (100, 10000) and its two gradient products, and
the cross-entropy over its 7M logits; zerograd's LSTM runs its 35 steps inside one op
(``LSTMLayer``), so the loop's per-op cost no longer shows.
The same weights in every framework; the first loss is checked against a NumPy float64
forward before anything is timed.
"""
from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from bench.workload import Case, Program, Workload

VOCAB, EMBED, HIDDEN, BATCH, STEPS, LR = 10_000, 100, 100, 20, 35, 0.1
N_BATCHES = 3
LOSS_RTOL = 1e-4  # float32 sums against a float64 reference


def _weights(seed: int = 0) -> dict[str, np.ndarray]:
    """torch's layout: embedding (V, E); LSTM (4H, E), (4H, H), biases (4H,), gates i, f, g,
    o; output (V, H), (V,)."""
    rng = np.random.default_rng(seed)
    bound = 1 / np.sqrt(HIDDEN)
    u = lambda *shape: rng.uniform(-bound, bound, shape)  # noqa: E731
    return {"embed": rng.standard_normal((VOCAB, EMBED)) * 0.01,
            "w_ih": u(4 * HIDDEN, EMBED), "w_hh": u(4 * HIDDEN, HIDDEN),
            "b_ih": u(4 * HIDDEN), "b_hh": u(4 * HIDDEN),
            "w_out": rng.standard_normal((VOCAB, HIDDEN)) * np.sqrt(2 / HIDDEN),
            "b_out": np.zeros(VOCAB)}


def _batches(seed: int = 1) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, VOCAB, (N_BATCHES, BATCH, STEPS + 1))
    return [(b[:, :-1], b[:, 1:]) for b in ids]


def reference_loss(w: dict[str, np.ndarray], x: np.ndarray, t: np.ndarray) -> float:
    """The first step's loss in NumPy float64, from a zero state."""
    sig = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    h = c = np.zeros((BATCH, HIDDEN))
    logits = []
    for k in range(STEPS):
        g = w["embed"][x[:, k]] @ w["w_ih"].T + w["b_ih"] + h @ w["w_hh"].T + w["b_hh"]
        i, f, gg, o = np.split(g, 4, axis=1)
        c = sig(f) * c + sig(i) * np.tanh(gg)
        h = sig(o) * np.tanh(c)
        logits.append(h @ w["w_out"].T + w["b_out"])
    z = np.stack(logits, axis=1).reshape(-1, VOCAB)
    z = z - z.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-logp[np.arange(len(z)), t.reshape(-1)].mean())


class _Runner:
    """One framework's model, optimizer and carried state, behind ``step`` and ``loss``."""

    def __init__(self, step, loss) -> None:
        self.step, self.loss = step, loss


def _program(runner: _Runner) -> Program:
    batches = _batches()
    turn = iter(range(10 ** 9))

    def check() -> dict[str, Any]:
        ref = reference_loss(_weights(), *batches[0])
        loss = runner.loss(*batches[0])
        rel = abs(loss - ref) / ref
        if not rel <= LOSS_RTOL:
            raise AssertionError(f"lstm_lm_train: loss {loss!r} differs from the NumPy "
                                 f"float64 reference {ref!r} by {rel:.2e} relative")
        runner.step(*batches[0])  # one step from the zero state: backward and SGD compared
        return {"loss": loss, "reference_loss": ref, "rel_error": rel,
                "loss_after_step": runner.loss(*batches[0])}

    def setup():
        x, t = batches[next(turn) % N_BATCHES]
        return lambda: runner.step(x, t)

    return Program({"step": setup}, check)


def _zerograd(ag: ModuleType) -> Program:
    import nn
    import optim
    from nn import functional as F
    w = _weights()
    model = nn.zoo.LanguageModel(VOCAB, EMBED, HIDDEN)
    state = {"embed.weight": w["embed"], "lstm.weight_ih_l0": w["w_ih"],
             "lstm.weight_hh_l0": w["w_hh"], "lstm.bias_ih_l0": w["b_ih"],
             "lstm.bias_hh_l0": w["b_hh"], "out.weight": w["w_out"], "out.bias": w["b_out"]}
    model.load_state_dict({k: v.astype(np.float32) for k, v in state.items()})
    opt = optim.SGD(model.parameters(), lr=LR)
    carried: list[Any] = [None]

    def step(x, t) -> str:
        s = carried[0]
        logits, s = model(x, None if s is None else tuple(v.detach() for v in s))
        loss = F.cross_entropy(logits.reshape(-1, VOCAB), t.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        carried[0] = s
        return str(loss.dtype)

    def loss(x, t) -> float:
        with ag.no_grad():
            logits, _ = model(x)
            return float(F.cross_entropy(logits.reshape(-1, VOCAB), t.reshape(-1)).data)

    return _program(_Runner(step, loss))


def _torch(torch: ModuleType) -> Program:
    w = {k: torch.tensor(v, dtype=torch.float32) for k, v in _weights().items()}

    class LM(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = torch.nn.Embedding(VOCAB, EMBED)
            self.lstm = torch.nn.LSTM(EMBED, HIDDEN, batch_first=True)
            self.out = torch.nn.Linear(HIDDEN, VOCAB)

        def forward(self, x, s=None):
            h, s = self.lstm(self.embed(x), s)
            return self.out(h), s

    model = LM()
    with torch.no_grad():
        for p, v in ((model.embed.weight, w["embed"]), (model.lstm.weight_ih_l0, w["w_ih"]),
                     (model.lstm.weight_hh_l0, w["w_hh"]), (model.lstm.bias_ih_l0, w["b_ih"]),
                     (model.lstm.bias_hh_l0, w["b_hh"]), (model.out.weight, w["w_out"]),
                     (model.out.bias, w["b_out"])):
            p.copy_(v)
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    carried: list[Any] = [None]

    def step(x, t) -> str:
        s = carried[0]
        logits, s = model(torch.from_numpy(x), None if s is None else
                          tuple(v.detach() for v in s))
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, VOCAB),
                                                 torch.from_numpy(t.reshape(-1)))
        opt.zero_grad()
        loss.backward()
        opt.step()
        carried[0] = s
        return str(loss.dtype).replace("torch.", "")

    def loss(x, t) -> float:
        with torch.no_grad():
            logits, _ = model(torch.from_numpy(x))
            return float(torch.nn.functional.cross_entropy(
                logits.reshape(-1, VOCAB), torch.from_numpy(t.reshape(-1))))

    return _program(_Runner(step, loss))


def _dezero(dz: ModuleType) -> Program:
    """DeZero's own layers (EmbedID, the stateful LSTM, Linear), the book's TimeLSTM loop
    written per step; its LSTM keeps one weight matrix per gate, filled from the same
    weights (the two biases summed: its hidden-to-gate layers have none).

    NOTE: the loss is DeZero's ``softmax_cross_entropy_simple`` (softmax, log, pick), not its
    ``softmax_cross_entropy``, whose backward builds ``np.eye(10000)`` (800 MB) for every
    time step: 15 s a step here, a cost of that function, not of the engine."""
    L, F = dz.layers, dz.functions
    w = _weights()
    embed = L.EmbedID(VOCAB, EMBED)
    embed.W.data = w["embed"].astype(np.float32)
    lstm = L.LSTM(HIDDEN, in_size=EMBED)
    bias = w["b_ih"] + w["b_hh"]
    for k, gate in enumerate(("i", "f", "u", "o")):  # torch's g is DeZero's u
        rows = slice(k * HIDDEN, (k + 1) * HIDDEN)
        getattr(lstm, f"x2{gate}").W.data = w["w_ih"][rows].T.astype(np.float32)
        getattr(lstm, f"x2{gate}").b.data = bias[rows].astype(np.float32)
        getattr(lstm, f"h2{gate}").W.data = w["w_hh"][rows].T.astype(np.float32)
    out = L.Linear(VOCAB, in_size=HIDDEN)
    out.W.data, out.b.data = w["w_out"].T.astype(np.float32), w["b_out"].astype(np.float32)
    layers = [embed, lstm, out]
    opt = dz.optimizers.SGD(LR)
    params = [p for layer in layers for p in layer.params()]

    def forward(x):
        losses_in = []
        for k in range(STEPS):
            losses_in.append(out(lstm(embed(x[:, k]))))
        return losses_in

    def step(x, t) -> str:
        logits = forward(x)
        loss = 0
        for k, y in enumerate(logits):
            loss = loss + F.softmax_cross_entropy_simple(y, t[:, k])
        loss = loss / STEPS
        for p in params:
            p.cleargrad()
        loss.backward()
        loss.unchain_backward()  # truncate: the state stays, its history goes
        for p in params:
            p.data -= LR * p.grad.data
        return str(loss.dtype)

    def loss(x, t) -> float:
        lstm.reset_state()
        with dz.no_grad():
            logits = forward(x)
            value = sum(float(F.softmax_cross_entropy_simple(y, t[:, k]).data)
                        for k, y in enumerate(logits)) / STEPS
        lstm.reset_state()
        return value

    del opt  # DeZero's optimizers need a Model; the SGD update is written out above
    return _program(_Runner(step, loss))


WORKLOAD = Workload(
    name="lstm_lm_train",
    title=(f"LSTM language model training step (vocab {VOCAB:,}, embedding {EMBED}, hidden "
           f"{HIDDEN}, batch {BATCH} x {STEPS} steps, SGD, truncated BPTT)"),
    unit="ms/step", scale=1e3,
    cases=(Case("step", "step", compare=True),),
    programs={"zerograd": _zerograd, "torch": _torch, "dezero": _dezero},
    result="loss dtype")
