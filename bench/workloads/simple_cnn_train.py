"""SimpleConvNet training step (book ch. 7): SGD (lr 0.01) on cross-entropy, batch 100.
Dominated by the convolution (im2col and its matrix products) and pooling, forward and back."""
from bench.nets import NETS, OptimizerSpec
from bench.training import training_workload

WORKLOAD = training_workload("simple_cnn_train", NETS["simple_cnn"],
                             OptimizerSpec("sgd", 0.01))
