"""MLP inference: the forward pass alone at batch 100, no graph recorded: three small products,
where the framework's per-call cost shows."""
from bench.nets import NETS, OptimizerSpec
from bench.training import training_workload

WORKLOAD = training_workload("mlp_infer", NETS["mlp"], OptimizerSpec("sgd", 0.01),
                             inference=True)
