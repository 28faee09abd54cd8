"""Ragged arrays: groups of varying size laid end to end in one flat numpy array."""

from __future__ import annotations

import numpy as np


def group_starts(counts: np.ndarray) -> np.ndarray:
    """Index of each group's first element."""
    return np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)


def position_in_group(counts: np.ndarray) -> np.ndarray:
    """0, 1, ... within each group."""
    total = int(np.sum(counts))
    return np.arange(total, dtype=np.int64) - np.repeat(group_starts(counts), counts)


def owners(counts: np.ndarray) -> np.ndarray:
    """Group index of each element."""
    return np.repeat(np.arange(len(counts), dtype=np.int64), counts)


def sum_within(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Running sums that restart at each group."""
    if len(values) == 0:
        return np.zeros(0, values.dtype)
    total = np.cumsum(values)
    starts = group_starts(counts)
    before = np.where(starts > 0, total[np.maximum(starts - 1, 0)], 0)
    return total - np.repeat(before, counts)
