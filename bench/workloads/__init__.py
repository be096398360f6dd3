"""The registry of workloads. To add one, write a module that builds a ``Workload`` and list it
in ``WORKLOADS``; the command line, the workers and the table pick it up from here.
"""
from __future__ import annotations

from bench.workload import Workload
from bench.workloads import per_op

WORKLOADS: dict[str, Workload] = {w.name: w for w in (per_op.WORKLOAD,)}
