"""The pooled prior a young series borrows: the nearest established level above it in a
hierarchy of the keys (its category), else the panel (``core.level_priors``), on a seeded shop whose
drinks follow a summer season with a small New Year sale and whose snacks sell flat with a
large one, one drink launched in March (trial 8's sparkling water: x3.2 along the panel's path)."""

import numpy as np
import pandas as pd
import pytest

from workbench.errors import ModelError
from workbench.forecast.core import forecast, prior_levels
from workbench.forecast.engines import LocalEngine

DAYS = pd.date_range("2024-11-20", "2027-02-28")
CUTOFF = pd.Timestamp("2026-11-29")
WINDOW = (pd.Timestamp("2027-01-02"), pd.Timestamp("2027-01-29"))  # the New Year sale of 2027
SPRING_FESTIVALS = [pd.Timestamp(d) for d in ("2025-01-29", "2026-02-17", "2027-02-06")]


def _new_year(peak: float) -> np.ndarray:
    """The sale's lift over the three weeks before each Spring Festival, then the couriers' pause."""
    lift = np.ones(len(DAYS))
    for festival in SPRING_FESTIVALS:
        off = (DAYS - festival).days.to_numpy()
        shape = np.interp(off, [-26, -20, -14, -9, -6], [.35, .75, 1.0, .9, .55])
        lift = np.where((off >= -26) & (off <= -6), 1 + (peak - 1) * shape, lift)
        lift = np.where((off >= -5) & (off <= 4), 0.2, lift)
    return lift


def category_panel(seed: int = 13) -> pd.DataFrame:
    """5 drinks (summer season x1.6 / x0.4, New Year x1.3) and 5 snacks (no season, New Year
    x2.5) in 2 regions, gamma-Poisson daily counts with their means ``mu``; drink D4 launched
    on 2026-03-16; drink D5's level x1.6 from 2026-06-01 (a price cut: a level shift under a year
    before the cut-off)."""
    rng = np.random.default_rng(seed)
    doy = DAYS.day_of_year.to_numpy()
    week = np.array([.92, .95, .97, 1.0, 1.03, 1.10, 1.08])[DAYS.day_of_week]
    shape = {"drinks": (1 + 0.6 * np.cos(2 * np.pi * (doy - 200) / 365.25)) * _new_year(1.3),
             "snacks": _new_year(2.5)}
    rows = []
    for cat, sku in [("drinks", f"D{i}") for i in range(1, 6)] + [("snacks", f"S{i}") for i in range(1, 6)]:
        mu = rng.uniform(25, 60) * week * shape[cat] * (DAYS >= pd.Timestamp("2026-03-16") if sku == "D4" else 1)
        mu = mu * (np.where(DAYS >= pd.Timestamp("2026-06-01"), 1.6, 1.0) if sku == "D5" else 1)
        for region, share in (("east", 0.6), ("west", 0.4)):
            m = mu * share * rng.uniform(0.9, 1.1)
            rows.append(pd.DataFrame({"cat": cat, "sku": sku, "region": region, "ds": DAYS,
                                      "y": rng.poisson(rng.gamma(8.0, m / 8.0)).astype(float), "mu": m}))
    return pd.concat(rows, ignore_index=True)


@pytest.fixture(scope="module")
def runs():
    panel = category_panel()
    history = panel[panel.ds <= CUTOFF].drop(columns="mu")
    horizon = int((WINDOW[1] - CUTOFF).days)
    out = {}
    for name, keys in (("category", ["cat", "sku", "region"]), ("panel", ["sku", "region"])):
        with pytest.warns(UserWarning):
            fc = forecast(history[[*keys, "ds", "y"]], horizon=horizon, keys=keys, n_jobs=1)
        inside = fc[(fc.ds >= WINDOW[0]) & (fc.ds <= WINDOW[1])].merge(panel, on=[*keys, "ds"])
        out[name] = (inside, fc.attrs["notes"])
    return out


def _bias(inside: pd.DataFrame, skus) -> float:
    part = inside[inside.sku.isin(skus)]
    return float(part.yhat.sum() / part.mu.sum() - 1)


def test_the_levels_a_series_borrows_from_nearest_first():
    panel = category_panel().drop_duplicates(["cat", "sku", "region"])
    # the SKU sits in its category (a hierarchy, finest first); the region crosses both: no level
    assert prior_levels(panel, ["cat", "sku", "region"]) == ["sku", "cat"]
    assert prior_levels(panel, ["region", "cat", "sku"]) == ["sku", "cat"]
    assert prior_levels(panel, ["sku", "region"]) == []
    assert prior_levels(panel, ["sku"]) == []  # the panel is the only level above a SKU


def test_a_geographic_chain_is_no_level_of_the_product():
    """Review 7.1 #3: city nests in province as a SKU nests in its category, but a province's sum
    holds every product (the panel's mix): every established series borrowed its province's sum,
    a young SKU its city's. Only the product chain gives levels, whatever the columns are called."""
    cities = {"广东": ["深圳", "广州"], "四川": ["成都", "绵阳"]}
    table = pd.DataFrame([(p, c, sku, cat) for p, cs in cities.items() for c in cs
                          for sku, cat in (("K1", "beauty"), ("K2", "beauty"), ("F1", "food"), ("F2", "food"))],
                         columns=["province", "city", "sku", "cat"])
    assert prior_levels(table, ["province", "city", "sku"]) == []
    assert prior_levels(table, ["province", "city", "sku", "cat"]) == ["sku", "cat"]
    coded = table.rename(columns={"province": "g1", "city": "g2", "sku": "item", "cat": "group"})
    assert prior_levels(coded, ["g1", "g2", "item", "group"]) == ["item", "group"]  # told by the values
    named = table.assign(province=table.province.map({"广东": "P1", "四川": "P2"}), city="C" + table.city.factorize()[0].astype(str))
    assert prior_levels(named, ["province", "city", "sku"]) == []  # told by the names


def test_a_launch_follows_its_categorys_season_and_sale(runs):
    """D4 borrows the drinks' summer season and small sale: within 25% of its mean over the
    window (the level at the cut-off read on quiet days since September, its path taken from
    the same days), and nearer than from the panel (mostly snacks: flat, x2.5) without the
    category in the keys, as trial 8's sparkling water was x3.2 along the panel's path (+66% in
    the seeded run). The panel's path is not asserted to stay wrong (review 7.1 #9)."""
    by_category, notes = runs["category"]
    assert abs(_bias(by_category, ["D4"])) < 0.25, _bias(by_category, ["D4"])
    assert abs(_bias(by_category, ["D4"])) < abs(_bias(runs["panel"][0], ["D4"]))
    assert not [n for n in runs["panel"][1] if "pooled prior" in str(n)]  # the panel's, as without levels
    said = [n for n in notes if "D4" in str(n) and "pooled prior" in str(n)]
    assert len(said) == 2 and all("8 established series of the same cat" in str(n) for n in said)


def test_an_established_series_in_a_young_regime_follows_its_categorys_path(runs):
    """D5 (established, its level x1.6 six months before the cut-off: in one region a regime
    under a year old) follows the pooled path there: its category's summer season, not the
    panel's flat snacks with their x2.5 sale, as trial 9's sunscreen did after its one summer
    was read as level shifts: D5's window total -7% by its category (review 7.1 #9: the panel's
    path is not asserted to stay wrong). Established series borrow only levels above their
    product (here the category) and a note says so; without a hierarchy in the keys they keep the
    panel's prior, and D5 reads its summer from its year before as its share of the panel
    (``EventProfile._one_year_season``): -5% (+15% on the panel's flat path alone), noted."""
    by_category, notes = runs["category"]
    assert abs(_bias(by_category, ["D5"])) < 0.12, _bias(by_category, ["D5"])
    assert abs(_bias(runs["panel"][0], ["D5"])) < 0.12, _bias(runs["panel"][0], ["D5"])
    assert any("sku=D5" in str(n) and "season read from one year" in str(n) for n in runs["panel"][1])
    said = [str(n) for n in notes if "sku=D1" in str(n) and "pooled prior" in str(n)]
    assert len(said) == 2 and all("of the same cat" in n for n in said)


def test_without_a_level_of_established_series_the_panels_prior_and_a_note():
    """Keys [cat, sku] on one drink (launched) and five snacks: the drinks have no established
    series, so D4 borrows from the panel and the note says why."""
    panel = category_panel()
    panel = panel[panel.sku.isin(["D4", "S1", "S2", "S3", "S4", "S5"]) & (panel.ds <= CUTOFF)]
    skus = panel.groupby(["cat", "sku", "ds"], as_index=False)["y"].sum()
    with pytest.warns(UserWarning):
        fc = forecast(skus, horizon=28, keys=["cat", "sku"], n_jobs=1)
    said = [str(n) for n in fc.attrs["notes"] if "pooled prior" in str(n) and "D4" in str(n)]
    assert said == ["cat=drinks, sku=D4: pooled prior (event profiles, seasonal path, growth): the sum of the "
                    "panel's 5 established series (no level above the series (cat) has the established series "
                    "it needs besides it whose sum fits: 1 for a young series, 3 for an established one)"]


@pytest.mark.parametrize("drinks", [["D1"], ["D1", "D2"]])
def test_a_launch_borrows_a_category_of_one_or_two_established_series(drinks):
    """Trial 14 F4/F9: a category with 1 or 2 established series lent nothing (a level needed 3),
    so a young gift set took the skincare panel's +25% festival instead of its category's x4,
    and young winter hand creams the panel's summer-led path. Here D4, launched in March among
    drinks with a summer season and a small New Year sale, borrowed the panel of snacks (flat,
    x2.5): +156% / +132% over the New Year sale. It now borrows its category of 1 or 2
    established drinks (their events pooled toward the panel's by their evidence): within 25%."""
    panel = category_panel()
    panel = panel[panel.sku.isin([*drinks, "D4", "S1", "S2", "S3", "S4", "S5"])]
    skus = panel.groupby(["cat", "sku", "ds"], as_index=False)[["y", "mu"]].sum()
    with pytest.warns(UserWarning):
        fc = forecast(skus[skus.ds <= CUTOFF].drop(columns="mu"), horizon=int((WINDOW[1] - CUTOFF).days),
                      keys=["cat", "sku"], n_jobs=1)
    inside = fc[(fc.ds >= WINDOW[0]) & (fc.ds <= WINDOW[1])].merge(skus, on=["cat", "sku", "ds"])
    assert abs(_bias(inside, ["D4"])) < 0.25, _bias(inside, ["D4"])
    said = [str(n) for n in fc.attrs["notes"] if "pooled prior" in str(n) and "D4" in str(n)]
    assert said and f"the sum of the {len(drinks)} established series of the same cat" in said[0]


class _TaskRecorder(LocalEngine):
    """In-process engine that runs the pooling and keeps each forecast task instead of running it."""

    def __init__(self):
        super().__init__(1)
        self.tasks, self.shared = [], None

    def map(self, fn, partitions, shared):
        if fn.__name__ != "_forecast_partition":
            yield from super().map(fn, partitions, shared)
            return
        self.tasks, self.shared = list(partitions), shared
        for i in range(len(partitions)):
            yield i, RuntimeError("not run")


def recorded_tasks(keys: list[str], partition_size: int) -> "_TaskRecorder":
    """The tasks the core sends for the category panel to its cut-off, recorded unrun (every
    series then fails, as the recorder forecasts nothing)."""
    history = category_panel()
    history = history[history.ds <= CUTOFF].drop(columns="mu")
    engine = _TaskRecorder()
    with pytest.raises(ModelError, match="every series failed"):
        forecast(history, horizon=28, keys=keys, engine=engine, partition_size=partition_size)
    return engine


def test_each_task_carries_only_its_own_series_priors():
    """Review 7.1 #8: every series' prior and note went into the job every task is sent with
    (100,000 series: ~20 MB pickled per task, times 200 tasks). Each task now carries the levels
    of its own series and the priors of those levels. (The shared job has no per-series field
    since: an assertion on it could not fail, review 8.3 #9.)"""
    keys = ["cat", "sku", "region"]
    engine = recorded_tasks(keys, partition_size=3)
    assert len(engine.tasks) == 7
    borrowing = {}
    for task in engine.tasks:
        own = set(task.rows[keys].drop_duplicates().itertuples(index=False, name=None))
        assert set(task.levels) == own  # every series here borrows a level (its category, or its SKU)
        assert set(task.priors) == set(task.levels.values())
        borrowing.update(task.levels)
    assert len(borrowing) == 20 and {level for level in borrowing.values()} >= {("cat", "drinks"), ("cat", "snacks")}


def test_a_task_carries_the_panels_note_not_the_panels_prior():
    """Review 8.3 #8: a young series without a level borrows the panel's prior, which the job
    every task gets already holds; each task with such a series pickled it again. Keys [cat, sku]
    on one drink (D4 launched) and five snacks: D4 borrows the panel, its task holds the note
    and no prior, and the series' job is the shared one."""
    from workbench.forecast.core import PANEL, _with_level_prior

    panel = category_panel()
    panel = panel[panel.sku.isin(["D4", "S1", "S2", "S3", "S4", "S5"]) & (panel.ds <= CUTOFF)]
    skus = panel.groupby(["cat", "sku", "ds"], as_index=False)["y"].sum()
    engine = _TaskRecorder()
    with pytest.raises(ModelError, match="every series failed"):
        forecast(skus, horizon=28, keys=["cat", "sku"], engine=engine, partition_size=20)
    (task,) = engine.tasks
    assert task.levels[("drinks", "D4")] == PANEL
    prior, note = task.priors[PANEL]
    assert prior is None and "the sum of the panel's 5 established series" in note
    job, said = _with_level_prior(engine.shared, task.priors[PANEL])
    assert job is engine.shared and said == note and job.params[job.prior_param].uplift


def test_an_established_series_borrows_its_level_without_itself():
    """Review 7.1 #7: an established series is in its category's sum, so its own events were
    counted twice, as its evidence and in the prior it is pooled with as if independent. One
    that holds 10% or more of the category's units over the last year (D1 east: 19% of the
    drinks') borrows the sum of the 7 others, fitted as any level's; one under 10% the whole
    sum (its part of it is small). A level needs 3 established series besides the series. The sum is
    its series' as at their current levels (``core._without_own_steps``: D5's x1.6 price cut is a step
    of its own, not the category's season or growth)."""
    from workbench.calendar import default_calendar
    from workbench.forecast.core import _pooled_from_total, _without_own_steps

    keys = ["cat", "sku", "region"]
    engine = recorded_tasks(keys, partition_size=20)
    history = category_panel()
    history = history[history.ds <= CUTOFF]
    (task,) = engine.tasks
    big, small = ("drinks", "D1", "east"), ("drinks", "D3", "west")
    recent = history[history.ds > CUTOFF - pd.Timedelta(days=364)]
    drinks = recent[recent.cat == "drinks"].groupby(["sku", "region"]).y.sum()
    drinks = drinks.drop("D4")  # launched in March: not established, not in the sum
    assert drinks[("D1", "east")] / drinks.sum() > 0.1 > drinks[("D3", "west")] / drinks.sum()
    assert task.levels[big] == ("cat", "drinks", big) and task.levels[small] == ("cat", "drinks")
    prior, note = task.priors[task.levels[big]]
    assert "the sum of the 7 other established series of the same cat" in note and "left out" in note
    drinks = _without_own_steps(history[(history.cat == "drinks") & ~history.sku.isin(["D4"])].drop(columns="mu"),
                                keys, "cat", default_calendar())
    others = drinks[~((drinks.sku == "D1") & (drinks.region == "east"))].groupby("ds").y.sum()
    expected = _pooled_from_total(others, engine.shared)
    # D5's days before its step are scaled (not whole units): the sum less D1 east equals the others' sum
    # to rounding, not bit for bit
    assert prior.uplift.keys() == expected.uplift.keys() and prior.path.keys() == expected.path.keys()
    for name in prior.uplift:
        assert prior.uplift[name].keys() == expected.uplift[name].keys()
        assert np.allclose(list(prior.uplift[name].values()), list(expected.uplift[name].values()), atol=1e-9)
    assert np.allclose(list(prior.path.values()), list(expected.path.values()), atol=1e-9)
    assert "the sum of the 8 established series of the same cat" in task.priors[("cat", "drinks")][1]
