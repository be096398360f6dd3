"""zerograd's data loading: datasets, a batching ``DataLoader`` and batch transforms.

NumPy arrays in and out (or a device's, after a loader's ``to``); nothing here needs autograd but
its error classes and its devices (``autograd.errors``, ``autograd.devices``).
"""
from .bptt import BPTTLoader
from .collate import default_collate
from .dataset import ArrayDataset, Dataset, Subset, TensorDataset, random_split
from .download import DownloadError, data_root
from .idx import IDXError, read_idx
from .loader import DataLoader, OnDevice, batch_to
from .mnist import MNIST, FashionMNIST
from .spiral import Spiral
from .text import PTB, Addition, Dates, Vocabulary
from .transforms import Compose, Flatten, Normalize, ToFloat

__all__ = [
    "Addition", "BPTTLoader", "Dates", "PTB", "Vocabulary",
    "ArrayDataset", "Compose", "DataLoader", "Dataset", "DownloadError", "FashionMNIST",
    "Flatten", "IDXError", "MNIST", "Normalize", "OnDevice", "Spiral", "Subset", "TensorDataset",
    "ToFloat",
    "data_root", "default_collate", "random_split", "read_idx",
]
