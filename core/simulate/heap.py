"""Binary min-heaps on plain numpy arrays (a float key and an int payload), compiled by numba.

Why not heapq: the platform loops run once per request (millions) inside numba, where Python
objects are not available; two parallel arrays and an explicit size are.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, inline="always", error_model="numpy")
def push(keys: np.ndarray, vals: np.ndarray, size: int, key: float, val: int) -> int:
    """Insert (key, val); returns the new size. The arrays must have room."""
    i = size
    while i > 0:
        parent = (i - 1) >> 1
        if keys[parent] <= key:
            break
        keys[i] = keys[parent]
        vals[i] = vals[parent]
        i = parent
    keys[i] = key
    vals[i] = val
    return size + 1


@njit(cache=True, inline="always", error_model="numpy")
def pop(keys: np.ndarray, vals: np.ndarray, size: int) -> int:
    """Remove the smallest entry (read keys[0], vals[0] first); returns the new size."""
    size -= 1
    if size == 0:
        return 0
    key = keys[size]
    val = vals[size]
    i = 0
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        if child + 1 < size and keys[child + 1] < keys[child]:
            child += 1
        if keys[child] >= key:
            break
        keys[i] = keys[child]
        vals[i] = vals[child]
        i = child
    keys[i] = key
    vals[i] = val
    return size
