"""`td.utils`: PyTorch's `torch.utils` pieces that are not data loading (that is `td.data`):
`td.utils.checkpoint` (gradient checkpointing)."""

from . import checkpoint

__all__ = ["checkpoint"]
