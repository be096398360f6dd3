"""The registry of workloads. To add one, write a module that builds a ``Workload`` and list it
in ``WORKLOADS``; the command line, the workers and the table pick it up from here.
"""
from __future__ import annotations

from bench.workload import Workload
from bench.workloads import (
    deep_cnn_infer, deep_cnn_train, lstm_lm_train, mlp_infer, mlp_train, per_op,
    simple_cnn_infer, simple_cnn_memory, simple_cnn_train,
)

WORKLOADS: dict[str, Workload] = {w.name: w for w in (
    per_op.WORKLOAD, mlp_train.WORKLOAD, mlp_infer.WORKLOAD, simple_cnn_train.WORKLOAD,
    simple_cnn_infer.WORKLOAD, deep_cnn_train.WORKLOAD, deep_cnn_infer.WORKLOAD,
    simple_cnn_memory.WORKLOAD, lstm_lm_train.WORKLOAD,
)}
