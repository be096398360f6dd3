"""zerograd's nn: PyTorch-style modules, functional ops, initialisers and data, built on autograd.

>>> import nn
>>> model = nn.Sequential(nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 10))
>>> sum(p.size for p in model.parameters())
79510
"""
from . import (
    data, functional, gradient_flow, init, random, seq2seq, train, utils, word2vec, zoo,
)
from .gradient_flow import GradientFlow
from .layers import (
    AvgPool2d, BatchNorm1d, BatchNorm2d, Conv2d, CrossEntropyLoss, Dropout, Embedding, Flatten,
    GRU, LSTM, RNN, GRUCell, LayerNorm, LeakyReLU, Linear, LSTMCell, MaxPool2d, ModuleList,
    MSELoss, ReLU, RNNCell, Sequential, Sigmoid, Softmax, Tanh,
)
from .module import Module, Parameter, StateDictError
from .random import manual_seed
