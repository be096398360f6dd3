"""zerograd's nn: PyTorch-style modules, functional ops, initialisers and data, built on autograd."""
