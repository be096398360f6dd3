"""Utilities PyTorch users look for under ``nn.utils``: gradient clipping (from ``optim``)."""
from optim.clip_grad import clip_grad_norm_

__all__ = ["clip_grad_norm_"]
