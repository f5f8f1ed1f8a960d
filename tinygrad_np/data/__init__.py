"""Datasets and mini-batch loading, as ``torch.utils.data`` (also importable as
``tinygrad_np.utils.data``); ``datasets`` holds small built-in datasets."""

from . import datasets
from .collate import default_collate
from .dataloader import DataLoader
from .dataset import ConcatDataset, Dataset, Subset, TensorDataset, random_split

__all__ = [
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "Subset",
    "TensorDataset",
    "datasets",
    "default_collate",
    "random_split",
]
