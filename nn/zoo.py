"""The books' networks: ``MLP``, ``SimpleConvNet`` (vol 1 ch. 7), ``DeepConvNet`` (vol 1
ch. 8) and ``LanguageModel`` (vol 2 ch. 5-6: the SimpleRnnlm, the Rnnlm and the BetterRnnlm)."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from autograd import ArgumentError, Variable

from .layers import (
    GRU, LSTM, RNN, BatchNorm1d, Conv2d, Dropout, Embedding, Flatten, Linear, MaxPool2d, ReLU, Sequential,
    Sigmoid, Tanh,
)
from . import init
from .module import Module

ACTIVATIONS = {"relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh}


class MLP(Module):
    """Fully connected layers with an activation between them, optionally batch-normalised and
    with dropout (the book's MultiLayerNetExtend).

    Args:
        in_features: input size (784 for flattened MNIST, 2 for the spiral).
        hidden: the size of each hidden layer, e.g. (100, 100).
        out_features: the number of classes.
        activation: "relu", "sigmoid" or "tanh". Weights start He-normal for ReLU and
            Xavier-normal for the other two, as the book's chapter 6.2 advises.
        batch_norm: a BatchNorm1d after each hidden Linear.
        dropout: the dropout probability after each hidden activation (0 for none).

    Shape:
        (N, in_features) or (N, C, H, W), flattened -> (N, out_features) logits.
    """

    def __init__(self, in_features: int = 784, hidden: Sequence[int] = (100, 100),
                 out_features: int = 10, activation: str = "relu", batch_norm: bool = False,
                 dropout: float = 0.0, dtype: Any = np.float32) -> None:
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ArgumentError(f"MLP: unknown activation {activation!r} "
                                f"(expected one of {sorted(ACTIVATIONS)})")
        layers: list[Module] = [Flatten()]
        size = in_features
        for width in hidden:
            layers.append(Linear(size, width, dtype=dtype))
            if batch_norm:
                layers.append(BatchNorm1d(width, dtype=dtype))
            layers.append(ACTIVATIONS[activation]())
            if dropout:
                layers.append(Dropout(dropout))
            size = width
        layers.append(Linear(size, out_features, dtype=dtype))
        self.layers = Sequential(*layers)
        if activation != "relu":
            for layer in layers:
                if isinstance(layer, Linear):
                    init.xavier_normal_(layer.weight)

    def forward(self, x: Any) -> Variable:
        return self.layers(x)


class SimpleConvNet(Module):
    """conv 30@5x5 -> ReLU -> max pool 2 -> Linear 100 -> ReLU -> Linear 10 (chapter 7).

    Shape:
        (N, in_channels, image_size, image_size) -> (N, n_classes) logits.
    """

    def __init__(self, in_channels: int = 1, image_size: int = 28, n_classes: int = 10,
                 channels: int = 30, kernel_size: int = 5, hidden: int = 100,
                 dtype: Any = np.float32) -> None:
        super().__init__()
        side = (image_size - kernel_size + 1) // 2
        self.conv = Conv2d(in_channels, channels, kernel_size, dtype=dtype)
        self.relu1 = ReLU()
        self.pool = MaxPool2d(2)
        self.flatten = Flatten()
        self.fc1 = Linear(channels * side * side, hidden, dtype=dtype)
        self.relu2 = ReLU()
        self.fc2 = Linear(hidden, n_classes, dtype=dtype)

    def forward(self, x: Any) -> Variable:
        x = self.pool(self.relu1(self.conv(x)))
        return self.fc2(self.relu2(self.fc1(self.flatten(x))))


class DeepConvNet(Module):
    """The book's chapter 8 network: three blocks of two 3x3 convolutions (16, 32, 64 channels)
    with ReLU and a 2x2 max pool, then Linear 50 -> ReLU -> Dropout -> Linear 10 -> Dropout.

    Shape:
        (N, 1, 28, 28) -> (N, n_classes) logits.
    """

    def __init__(self, in_channels: int = 1, n_classes: int = 10, hidden: int = 50,
                 dropout: float = 0.5, dtype: Any = np.float32) -> None:
        super().__init__()

        def conv(c_in: int, c_out: int, pad: int = 1) -> list[Module]:
            return [Conv2d(c_in, c_out, 3, padding=pad, dtype=dtype), ReLU()]

        self.features = Sequential(
            *conv(in_channels, 16), *conv(16, 16), MaxPool2d(2),
            *conv(16, 32), *conv(32, 32, pad=2), MaxPool2d(2),
            *conv(32, 64), *conv(64, 64), MaxPool2d(2))
        self.classifier = Sequential(
            Flatten(), Linear(64 * 4 * 4, hidden, dtype=dtype), ReLU(), Dropout(dropout),
            Linear(hidden, n_classes, dtype=dtype), Dropout(dropout))

    def forward(self, x: Any) -> Variable:
        return self.classifier(self.features(x))


CELLS = {"lstm": LSTM, "gru": GRU, "rnn": RNN}


class LanguageModel(Module):
    """A word-level recurrent language model: Embedding -> LSTM (or a plain tanh RNN, or a
    GRU) -> Linear to the vocabulary, with dropout on the embeddings, between the recurrent
    layers and before the output. Vol 2's ``SimpleRnnlm`` (ch. 5) is ``cell="rnn"``; its
    ``Rnnlm`` (ch. 6) the default, one LSTM layer without dropout; its ``BetterRnnlm``
    ``layers=2, dropout=0.5, tie_weights=True`` (the output layer reuses the embedding matrix).

    ``forward(ids, state=None)`` returns ``(logits, state)``; pass the state, detached, to the
    next window of the same text (truncated BPTT).

    Args:
        cell: "lstm", "rnn" or "gru": the recurrent layer, as ``nn.LSTM``, ``nn.RNN`` (tanh)
            or ``nn.GRU``. It is the submodule of that name (``model.lstm``, so the state_dict
            keys of an LSTM model stay those of earlier versions); ``model.recurrent`` is
            any of them.

    Shape:
        ids (N, T) int -> logits (N, T, vocab_size); state h, or (h, c) for an LSTM, each
        (layers, N, hidden).
    """

    def __init__(self, vocab_size: int, embedding_dim: int = 100, hidden_size: int = 100,
                 layers: int = 1, dropout: float = 0.0, tie_weights: bool = False,
                 cell: str = "lstm", dtype: Any = np.float32) -> None:
        super().__init__()
        if tie_weights and embedding_dim != hidden_size:
            raise ArgumentError(f"LanguageModel: tie_weights needs embedding_dim == "
                                f"hidden_size (got {embedding_dim} and {hidden_size})")
        if cell not in CELLS:
            raise ArgumentError(f"LanguageModel: unknown cell {cell!r} (expected one of "
                                f"{sorted(CELLS)})")
        self.embed = Embedding(vocab_size, embedding_dim, dtype=dtype)
        init.normal_(self.embed.weight, 0.0, 0.01)  # the book's small start
        self.drop = Dropout(dropout)
        self.cell = cell
        setattr(self, cell, CELLS[cell](embedding_dim, hidden_size, layers, batch_first=True,
                                        dropout=dropout, dtype=dtype))
        self.out = Linear(hidden_size, vocab_size, dtype=dtype)
        if tie_weights:
            self.out.weight = self.embed.weight  # one Parameter, two uses
        self.tie_weights = tie_weights

    @property
    def recurrent(self) -> Module:
        """The recurrent layer, whichever the cell."""
        return getattr(self, self.cell)

    def forward(self, ids: Any, state: Any = None) -> tuple[Variable, Any]:
        h, state = self.recurrent(self.drop(self.embed(ids)), state)
        return self.out(self.drop(h)), state


MODELS = {"mlp": MLP, "simple-cnn": SimpleConvNet, "deep-cnn": DeepConvNet}
