"""`td.utils`: PyTorch's `torch.utils` pieces: `td.utils.checkpoint` (gradient checkpointing)
and `td.utils.data` (data loading, the `td.data` package under PyTorch's path)."""

from . import checkpoint, data

__all__ = ["checkpoint", "data"]
