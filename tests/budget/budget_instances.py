"""Seeded random channel tables for the budget tests (money in CNY), and a file writer."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd


def random_channels(seed: int, n: int, *, s_range=(0.5, 1.0), min_share: float = 0.0) -> pd.DataFrame:
    """``n`` channels with Hill curves of shape in ``s_range`` and max spend 50M..200M CNY."""
    rng = np.random.default_rng(seed)
    max_spend = rng.uniform(50e6, 200e6, n)
    return pd.DataFrame({
        "channel": [f"ch{i}" for i in range(n)],
        "vmax": rng.uniform(2e8, 1e9, n),
        "k": rng.uniform(1e7, 8e7, n),
        "s": rng.uniform(*s_range, n),
        "min_spend": max_spend * min_share,
        "max_spend": max_spend,
    })


def plan_channels() -> pd.DataFrame:
    """The base plan's three channels at their true curves (challenge is S-shaped)."""
    return pd.DataFrame({
        "channel": ["splash", "feed", "challenge"],
        "vmax": [900e6, 700e6, 400e6],
        "k": [60e6, 35e6, 30e6],
        "s": [1.0, 0.9, 1.6],
        "min_spend": [10e6, 10e6, 0.0],
        "max_spend": [100e6, 100e6, 80e6],
    })


def write(folder, name: str, text: str):
    """Write dedented ``text`` to ``folder/name`` (UTF-8); returns the path."""
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path
