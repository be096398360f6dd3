"""SimpleConvNet inference: the forward pass alone at batch 100, with no graph recorded
(zerograd ``no_grad``, PyTorch ``no_grad``, DeZero ``no_grad`` and ``test_mode``)."""
from bench.nets import NETS, OptimizerSpec
from bench.training import training_workload

WORKLOAD = training_workload("simple_cnn_infer", NETS["simple_cnn"],
                             OptimizerSpec("sgd", 0.01), inference=True)
