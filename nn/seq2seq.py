"""Sequence-to-sequence models of the second book (chapters 7 and 8): an LSTM encoder, and a
decoder that reads the encoder's last state (``Seq2Seq``), also at every step (``peeky``), or
attends over all the encoder's states (``AttentionSeq2Seq``). Batch first throughout.

Training uses teacher forcing: ``model(x, t_in)`` gives the logits for each next character of
the answer, ``t_in`` being the answer shifted right (it starts with the start mark). ``generate``
decodes greedily, one step at a time, feeding each prediction back; on a device (``model.to``)
it works there and returns its ids there, as PyTorch does (``to_numpy`` for the host).
"""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
from autograd import Variable
from autograd.devices import array_module

from . import functional as F
from . import init
from .layers import LSTM, Embedding, Linear
from .module import Module


class Encoder(Module):
    """Embedding -> LSTM. Shape: ids (N, T) -> states (N, T, H), final (h, c) (1, N, H)."""

    def __init__(self, vocab_size: int, wordvec_size: int, hidden_size: int) -> None:
        super().__init__()
        self.embed = Embedding(vocab_size, wordvec_size)
        init.normal_(self.embed.weight, 0.0, 0.01)
        self.lstm = LSTM(wordvec_size, hidden_size, batch_first=True)

    def forward(self, ids: Any) -> tuple[Variable, Any]:
        return self.lstm(self.embed(ids))


class Seq2Seq(Module):
    """The book's Seq2seq, and with ``peeky`` its PeekySeq2seq: the encoder's last hidden
    state starts the decoder and, when peeky, is also fed to the decoder's LSTM and output
    layer at every step.

    Shape:
        ``forward(x, t_in)``: x (N, T) and t_in (N, T') ids -> logits (N, T', vocab);
        ``generate(x, start_id, length)`` -> ids (N, length), on the model's device.
    """

    def __init__(self, vocab_size: int, wordvec_size: int = 16, hidden_size: int = 128,
                 peeky: bool = False) -> None:
        super().__init__()
        self.encoder = Encoder(vocab_size, wordvec_size, hidden_size)
        self.embed = Embedding(vocab_size, wordvec_size)
        init.normal_(self.embed.weight, 0.0, 0.01)
        extra = hidden_size if peeky else 0
        self.lstm = LSTM(wordvec_size + extra, hidden_size, batch_first=True)
        self.out = Linear(hidden_size + extra, vocab_size)
        self.peeky = peeky

    def _decode(self, ids: Any, state: Any, context: Variable) -> tuple[Variable, Any]:
        e = self.embed(ids)  # (N, T', D)
        if self.peeky:  # the encoder's summary beside every input and every output
            hs = ag.broadcast_to(ag.expand_dims(context, 1), e.shape[:2] + context.shape[1:])
            e = ag.concatenate([hs, e], axis=2)
        h, state = self.lstm(e, state)
        if self.peeky:
            h = ag.concatenate([hs, h], axis=2)
        return self.out(h), state

    def forward(self, x: Any, t_in: Any) -> Variable:
        _, (h, c) = self.encoder(x)
        return self._decode(t_in, (h, c), h[0])[0]

    def generate(self, x: Any, start_id: int, length: int) -> Any:
        with ag.no_grad():
            _, (h, c) = self.encoder(x)
            context, state = h[0], (h, c)
            xp = array_module(h.data)
            ids = xp.full((len(h[0]), 1), start_id, np.int64)
            out = []
            for _ in range(length):
                logits, state = self._decode(ids, state, context)
                ids = logits.data.argmax(axis=2)
                out.append(ids[:, 0])
        return xp.stack(out, axis=1)


class AttentionSeq2Seq(Module):
    """The book's AttentionSeq2seq: the decoder's LSTM starts from the encoder's last state;
    at each step its hidden state scores every encoder state by a dot product, the softmax of
    the scores weighs them into a context vector, and the output layer reads the context
    beside the hidden state.

    Shape:
        ``forward(x, t_in)`` -> logits (N, T', vocab); ``attention`` after a call: the
        weights (N, T', T); ``generate`` -> ids (N, length), weights (N, length, T) in
        ``attention``, both on the model's device.
    """

    def __init__(self, vocab_size: int, wordvec_size: int = 16,
                 hidden_size: int = 256) -> None:
        super().__init__()
        self.encoder = Encoder(vocab_size, wordvec_size, hidden_size)
        self.embed = Embedding(vocab_size, wordvec_size)
        init.normal_(self.embed.weight, 0.0, 0.01)
        self.lstm = LSTM(wordvec_size, hidden_size, batch_first=True)
        self.out = Linear(2 * hidden_size, vocab_size)
        self.attention: Any = None  # on the model's device

    def _decode(self, ids: Any, state: Any, enc: Variable) -> tuple[Variable, Any]:
        h, state = self.lstm(self.embed(ids), state)       # (N, T', H)
        scores = h @ ag.swapaxes(enc, 1, 2)                # (N, T', T)
        weights = F.softmax(scores, axis=2)
        context = weights @ enc                            # (N, T', H)
        self.attention = weights.data
        return self.out(ag.concatenate([context, h], axis=2)), state

    def forward(self, x: Any, t_in: Any) -> Variable:
        enc, state = self.encoder(x)
        return self._decode(t_in, state, enc)[0]

    def generate(self, x: Any, start_id: int, length: int) -> Any:
        with ag.no_grad():
            enc, state = self.encoder(x)
            xp = array_module(enc.data)
            ids = xp.full((enc.shape[0], 1), start_id, np.int64)
            out, maps = [], []
            for _ in range(length):
                logits, state = self._decode(ids, state, enc)
                ids = logits.data.argmax(axis=2)
                out.append(ids[:, 0])
                maps.append(self.attention[:, 0])
        self.attention = xp.stack(maps, axis=1)
        return xp.stack(out, axis=1)
