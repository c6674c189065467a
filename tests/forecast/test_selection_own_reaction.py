"""The selection table (选品) for the next event on young items: ranked on the event's own window with
the item's own reaction, beside what it sold in the last window (trial 12 F6/F15: a 年货 gift box
that sold 1,856 units in its first 年货节 ranked 42nd of 48 on a forecast of 311)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.forecast import planning

END = pd.Timestamp("2026-09-15")


@pytest.fixture(scope="module")
def shop():
    """Six snacks (30-45 a day, x1.5 in 年货节 2026, its calendar window 2026-01-13..02-09), a gift
    box launched 2025-12-22 that sells 65 a day in that window and 3 a day otherwise, and a launch
    of 2026-08-20 whose file holds zero rows from the shop's start."""
    rng = np.random.default_rng(612)
    ds = pd.date_range("2025-02-01", END, freq="D")
    sale = (ds >= "2026-01-13") & (ds <= "2026-02-09")
    rates = {f"S{i}": np.where(sale, 1.5, 1.0) * 30 * (1 + 0.1 * i) for i in range(6)}
    rates["BOX"] = np.where(ds < "2025-12-22", 0.0, np.where(sale, 65.0, 3.0))
    rates["NEW"] = np.where(ds < "2026-08-20", 0.0, 40.0)
    frame = pd.concat([pd.DataFrame({"ds": ds, "category": "snack", "sku": sku, "y": rng.poisson(r).astype(float)})
                       for sku, r in rates.items()], ignore_index=True)
    result = planning.event_forecast(frame, event="new_year_sale", keys=["category", "sku"])
    return frame, planning.selection_table(result, frame).set_index("sku")


def test_a_gift_box_is_ranked_on_its_own_event_and_shown_beside_it(shop):
    frame, table = shop
    assert table.attrs["last_window"] == "年货节 / New Year sale 2026"
    box = table.loc["BOX"]
    sold = frame[(frame.sku == "BOX") & frame.ds.between("2026-01-13", "2026-02-09")]["y"].sum()
    assert box["last_window"] == sold and not box["no_event_history"]
    assert 0.8 * sold <= box["forecast"] <= 1.25 * sold  # its own x20 reaction, not the snacks' x1.5
    assert box["rank"] < min(table.loc[f"S{i}", "rank"] for i in range(4))  # above the snacks that sell less then
    for i in range(6):
        assert table.loc[f"S{i}", "last_window"] == pytest.approx(
            frame[(frame.sku == f"S{i}") & frame.ds.between("2026-01-13", "2026-02-09")]["y"].sum())


def test_a_launch_is_flagged_by_its_first_sale_and_ranked_on_its_categorys_reaction(shop):
    _, table = shop
    assert table.loc["NEW", "no_event_history"] and np.isnan(table.loc["NEW", "last_window"])
    # with no event of its own, it takes its category's reaction (x1.5) on its 40 a day
    assert 0.8 * 40 * 28 * 1.5 <= table.loc["NEW", "forecast"] <= 1.2 * 40 * 28 * 1.5
    assert not table.drop(index="NEW")["no_event_history"].any()
