"""The layers: Modules over ``nn.functional``, with PyTorch's names and weight layouts."""
from .activation import LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from .container import Flatten, ModuleList, Sequential
from .conv import AvgPool2d, Conv2d, MaxPool2d
from .dropout import Dropout
from .linear import Embedding, Linear
from .loss import CrossEntropyLoss, MSELoss
from .norm import BatchNorm1d, BatchNorm2d, LayerNorm
from .recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
