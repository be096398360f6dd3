"""zerograd's optim: optimizers with PyTorch's interface and update rules, learning-rate
schedulers and gradient clipping. Built on autograd and NumPy only.
"""
from . import lr_scheduler
from .adam import Adam, AdamW
from .adaptive import AdaGrad, RMSprop
from .checks import OptimizerError
from .clip_grad import clip_grad_norm_, clip_grad_value_
from .mixed import MasterWeights
from .optimizer import Optimizer, Params
from .sgd import SGD, Momentum

__all__ = [
    "AdaGrad", "Adam", "AdamW", "MasterWeights", "Momentum", "Optimizer", "OptimizerError",
    "Params", "RMSprop", "SGD", "clip_grad_norm_", "clip_grad_value_", "lr_scheduler",
]
