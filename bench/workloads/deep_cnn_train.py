"""DeepConvNet training step (book ch. 8): Adam (lr 0.001) on cross-entropy, batch 100,
dropout active (each framework draws its own masks). Six 3x3 convolutions: the heaviest
workload, where array work outweighs bookkeeping."""
from bench.nets import NETS, OptimizerSpec
from bench.training import training_workload

WORKLOAD = training_workload("deep_cnn_train", NETS["deep_cnn"], OptimizerSpec("adam", 0.001))
