import numpy as np
import pandas as pd

from workbench.data.sample import CATEGORIES, REGIONS, generate_sales, load_sample


def test_sample_is_deterministic_and_complete():
    a = generate_sales("2024-01-01", "2024-03-31")
    b = generate_sales("2024-01-01", "2024-03-31")
    pd.testing.assert_frame_equal(a, b)
    assert a.sku.nunique() == 294 and set(a.category) == set(CATEGORIES) and set(a.region) == set(REGIONS)
    assert (a.units >= 0).all() and (a.gmv >= 0).all()


def test_levels_add_up():
    sku = load_sample("sku")
    national = load_sample("national")
    category = load_sample("category")
    assert sku.ds.min() == pd.Timestamp("2023-01-01") and sku.ds.max() == pd.Timestamp("2026-10-31")
    assert np.isclose(sku.units.sum(), national.units.sum())
    assert np.allclose(category.groupby("ds").units.sum().to_numpy(), national.units.to_numpy())


def test_sample_carries_the_calendar_effects():
    s = load_sample("national").set_index("ds").units
    baseline = s["2024-04-15":"2024-05-05"].mean()
    assert s["2024-06-01"] > 2 * baseline and s["2024-06-18"] > 2 * baseline  # 618 peaks
    assert s["2024-11-11"] > 2 * s["2024-10-01":"2024-10-14"].mean()           # Double 11
    eve = s["2024-02-09"]                                                       # Spring Festival eve
    assert eve < 0.35 * s["2024-01-10":"2024-01-25"].mean()
    assert s["2024-02-26":"2024-03-03"].mean() > 2 * eve                        # recovery after two weeks
    assert s["2025-01-28"] < 0.35 * s["2025-01-01":"2025-01-15"].mean()         # 2025 eve moves with the lunar date
    weekday = s["2024-03-01":"2024-04-30"].groupby(lambda d: d.day_of_week).mean()
    assert weekday[5] > weekday[0]                                              # weekend live-stream peak
