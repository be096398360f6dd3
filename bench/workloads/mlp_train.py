"""MLP 784-100-100-10 training step: SGD (lr 0.01) on cross-entropy, batch 100, flattened
28x28 inputs. Small matrices: the framework's per-op bookkeeping is a large part of a step."""
from bench.nets import NETS, OptimizerSpec
from bench.training import training_workload

WORKLOAD = training_workload("mlp_train", NETS["mlp"], OptimizerSpec("sgd", 0.01))
