"""Utilities PyTorch users look for under ``nn.utils``: gradient clipping (from ``optim``)."""
from optim.clip_grad import clip_grad_norm_, clip_grad_value_

__all__ = ["clip_grad_norm_", "clip_grad_value_"]
