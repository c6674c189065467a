import pandas as pd
import pytest

from workbench.data.sample import load_sample


@pytest.fixture(scope="session")
def national() -> pd.DataFrame:
    """Two and a half years of daily national sample units as the standard frame."""
    s = load_sample("national")
    s = s[(s.ds >= "2024-01-01") & (s.ds <= "2026-06-30")]
    return pd.DataFrame({"ds": s.ds.to_numpy(), "y": s.units.to_numpy()})


@pytest.fixture(scope="session")
def categories() -> pd.DataFrame:
    s = load_sample("category")
    s = s[s.ds >= "2024-06-01"]
    return pd.DataFrame({"category": s.category, "ds": s.ds, "y": s.units}).reset_index(drop=True)
