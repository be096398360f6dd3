"""DeepConvNet inference: the forward pass alone at batch 100, evaluation mode (dropout off),
no graph recorded: six 3x3 convolutions without their backward."""
from bench.nets import NETS, OptimizerSpec
from bench.training import training_workload

WORKLOAD = training_workload("deep_cnn_infer", NETS["deep_cnn"], OptimizerSpec("adam", 0.001),
                             inference=True)
