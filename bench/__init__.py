"""Benchmarks that compare zerograd with PyTorch and DeZero: ``python -m bench --help``.

``run`` is the command line, ``worker`` measures one framework in a process of its own, and
``workloads`` is the registry of what can be measured. Importing this package imports nothing
else, so a worker can set its thread counts before NumPy loads.
"""
