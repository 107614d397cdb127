"""`td.utils.data`: PyTorch's `torch.utils.data` path to the data package, so that
`from tinygrad_ds.utils.data import DataLoader, Dataset, TensorDataset` works as PyTorch code
writes it. It re-exports `tinygrad_ds.data` (`td.data`), which defines every name: the two
paths give the same objects."""

from .. import data as _package
from ..data import *  # noqa: F403 (the data package's public names)

__all__ = list(_package.__all__)
