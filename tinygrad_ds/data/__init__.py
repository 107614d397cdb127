"""Feeding data to a model, as torch.utils.data: datasets (`dataset.py`), samplers that choose
and group their keys (`sampler.py`), collating examples into Tensors (`collate.py`), and the
`DataLoader` that puts them together (`dataloader.py`)."""

from .collate import default_collate, default_convert
from .dataloader import DataLoader, get_worker_info
from .dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    StackDataset,
    Subset,
    TensorDataset,
    random_split,
)
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

__all__ = [
    "Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset", "ChainDataset",
    "StackDataset", "random_split", "Sampler", "SequentialSampler", "RandomSampler",
    "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler", "DataLoader",
    "default_collate", "default_convert", "get_worker_info",
]  # fmt: skip
