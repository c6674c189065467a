"""An optimizer never reports a wrong answer (issue 10, section 4): the cities that miss a
promise, all-zero demand, parameters beyond the data, lanes, single-sourcing conflicts, and
messages without numpy reprs. Small line networks with hand-computed answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.errors import DataValidationError, ParameterError
from workbench.network.design import optimize_network
from workbench.network.facility import solve_facility_location
from workbench.network.geo import great_circle_km
from workbench.network.params import NetworkParams

LON = {"A": 110.0, "B": 111.0, "C": 120.0, "D": 120.5}
UNITS = {"A": 100.0, "B": 100.0, "C": 50.0, "D": 50.0}


def road(a, b):
    return great_circle_km(30.0, LON[a], 30.0, LON[b]) * 1.25


def demand(units=UNITS, hot=0.4):
    return pd.DataFrame({"city": list(units), "lat": 30.0, "lon": [LON[c] for c in units],
                         "demand": list(units.values()), "hot_share": hot})


def sites(names, fixed=1000.0, capacity=np.nan, **extra):
    return pd.DataFrame({"site": names, "lat": 30.0, "lon": [LON[n] for n in names],
                         "fixed_cost": fixed, "capacity": capacity, **extra})


NO_FRONTS = pd.DataFrame(columns=["site", "lat", "lon", "fixed_cost"])


def test_every_city_missing_the_promise_is_listed_with_its_late_units():
    # central A only; C and D are ~37 h away (promise 30 h); a front at C brings their hot 40 %
    # within the promise, so 60 % of each is late: best share (200 + 20 + 20) / 300 = 80 %
    params = NetworkParams(max_centrals=1, max_fronts=1, promise_hours=30.0)
    result = optimize_network(demand(), sites(["A"]), sites(["C"], fixed=0.0), params)
    assert result.status == "infeasible"
    details = result.details
    assert details["best_promise_share"] == pytest.approx(0.8)
    assert sorted(details["cities_missing_promise"]) == ["C", "D"]
    assert details["units_missing_promise"]["C"] == pytest.approx(30.0)
    assert sum(details["units_missing_promise"].values()) == pytest.approx(0.2 * 300)
    assert "2 city(ies) miss it" in result.reason and "20.0% of all units" in result.reason


def test_all_zero_demand_opens_nothing_and_says_why():
    zero = demand({c: 0.0 for c in UNITS})
    result = optimize_network(zero, sites(["A", "C"]), sites(["B"]), NetworkParams(max_centrals=1))
    assert result.status == "optimal"
    assert result.open_centrals == [] and result.open_fronts == []
    assert result.costs["total"] == 0.0 and "nothing to serve" in result.reason


def test_all_zero_demand_keeps_existing_sites_open():
    zero = demand({c: 0.0 for c in UNITS})
    cand = sites(["A", "C"], must_open=[False, True])
    result = optimize_network(zero, cand, NO_FRONTS, NetworkParams(max_centrals=1))
    assert result.open_centrals == ["C"] and result.costs["total"] == pytest.approx(1000.0)


def test_exact_count_beyond_the_candidates_is_refused():
    params = NetworkParams(max_centrals=1, max_fronts=5, exact_fronts=True)
    with pytest.raises(ParameterError, match="exactly max_fronts=5 .* only 2 front candidate"):
        optimize_network(demand(), sites(["A"]), sites(["C", "D"]), params)
    with pytest.raises(ParameterError, match="only 1 central candidate"):
        optimize_network(demand(), sites(["A"]), NO_FRONTS, NetworkParams(max_centrals=2))


def test_more_existing_sites_than_the_limit_is_refused():
    cand = sites(["A", "C"], must_open=[True, True])
    with pytest.raises(ParameterError, match="2 central site.* must stay open .* max_centrals=1"):
        optimize_network(demand(), cand, NO_FRONTS, NetworkParams(max_centrals=1, max_fronts=0))


def test_lane_overrides_hours_and_cost():
    params = NetworkParams(max_centrals=1, max_fronts=0, promise_hours=30.0)
    small = demand({"A": 100.0, "B": 100.0, "C": 50.0})
    assert optimize_network(small, sites(["A"]), NO_FRONTS, params).status == "infeasible"
    lanes = pd.DataFrame({"origin": ["A"], "destination": ["C"], "hours": [20.0],
                          "cost_per_unit": [0.5]})
    result = optimize_network(small, sites(["A"]), NO_FRONTS, params, lanes=lanes)
    assert result.status == "optimal"
    assert result.cities.set_index("city").loc["C", "worst_hours"] == 20.0
    delivery = 0.004 * 100 * road("A", "B") + 0.5 * 50
    assert result.costs["delivery"] == pytest.approx(delivery)
    assert result.objective == pytest.approx(1000 + 250 * 1.0 + delivery)


@pytest.mark.parametrize(("lanes", "message"), [
    (pd.DataFrame({"origin": ["Z"], "destination": ["C"], "hours": [5]}), "origin.*Z is not"),
    (pd.DataFrame({"origin": ["A"], "destination": ["Z"], "hours": [5]}), "destination.*Z is not"),
    (pd.DataFrame({"origin": ["A", "A"], "destination": ["C", "C"], "hours": [5, 6]}), "twice"),
    (pd.DataFrame({"origin": ["A"], "destination": ["C"], "hours": [-5]}), "hours"),
    (pd.DataFrame({"origin": ["A"], "destination": ["C"]}), "missing column"),
])
def test_bad_lanes_are_refused(lanes, message):
    with pytest.raises(DataValidationError, match=message):
        optimize_network(demand(), sites(["A"]), NO_FRONTS,
                         NetworkParams(max_centrals=1, max_fronts=0), lanes=lanes)


def test_network_single_sourcing_conflict_names_cities_and_sites():
    # capacities 130 + 130 hold 250 units split, but 100, 100, 50 do not pack whole
    small = demand({"A": 100.0, "B": 100.0, "C": 50.0})
    params = NetworkParams(max_centrals=2, max_fronts=0, single_source=True)
    result = optimize_network(small, sites(["A", "C"], capacity=130.0), NO_FRONTS, params)
    assert result.status == "infeasible"
    assert "single sourcing is what cannot hold" in result.reason
    conflicts = result.details["single_source_conflicts"]
    assert conflicts and all(len(s) == 2 for s in conflicts.values())
    assert any(name.startswith(("B", "C")) for name in conflicts)


def test_facility_single_sourcing_conflict_names_customers_and_sites():
    sites_t = pd.DataFrame({"site": ["s0", "s1"], "fixed_cost": 1.0, "capacity": 5.0})
    customers = pd.DataFrame({"customer": ["c0", "c1", "c2"], "demand": 3.0})
    costs = pd.DataFrame([(s, c, 1.0) for s in ("s0", "s1") for c in ("c0", "c1", "c2")],
                         columns=["site", "customer", "unit_cost"])
    result = solve_facility_location(sites_t, customers, costs, single_source=True)
    assert result.status == "infeasible"
    assert result.details["best_packed_units"] == 6.0
    assert len(result.details["customers_not_packed"]) == 1
    assert result.details["conflicting_sites"] == ["s0", "s1"]
    assert "s0 (capacity 5, 3 used)" in result.reason


def test_messages_show_no_numpy_reprs():
    bad = demand().assign(demand=np.array([1.0, -1.0, 1.0, 1.0]))
    with pytest.raises(DataValidationError) as info:
        optimize_network(bad, sites(["A"]), NO_FRONTS, NetworkParams(max_centrals=1))
    assert "np." not in str(info.value) and "-1.0" in str(info.value)
    with pytest.raises(ParameterError) as info:
        NetworkParams(promise_share=np.float64(1.5)).validate()
    assert str(info.value).startswith("promise_share=1.5 ")
    with pytest.raises(ParameterError) as info:
        NetworkParams(max_fronts=np.int64(-2)).validate()
    assert "np." not in str(info.value)


def test_why_the_optimized_network_uses_its_number_of_fronts():
    from workbench.network.china import explain_front_count

    small = demand({"A": 100.0, "B": 100.0, "C": 50.0})
    params = NetworkParams(max_centrals=1, max_fronts=1)
    centrals, fronts = sites(["A"]), sites(["C"], fixed=1000.0)
    best = optimize_network(small, centrals, fronts, params)
    assert best.open_fronts == []
    count = explain_front_count(best, small, centrals, fronts, params)
    # a front at C serves C's 20 hot units: it saves delivery 0.004 x road(A, C) per unit but
    # costs the line-haul 0.0008 x road(A, C) and the front's handling 1.2 per unit (the units
    # still leave the central, handling 1.0, as before)
    saving = 20 * (0.004 - 0.0008) * road("A", "C") - 20 * 1.2
    assert (count.used, count.allowed, count.other, count.added, count.dropped) == (0, 1, 1, ("C",), ())
    assert count.fixed == pytest.approx(1000.0) and count.saving == pytest.approx(saving)
    assert count.net == pytest.approx(1000.0 - saving)
    assert count.within_24h_gain == pytest.approx(20 / 250)
    assert "one more front (adding C) would mean 1,000 CNY more fixed cost" in count.text()
    assert "8.0 percentage points more units within 24 h" in count.text()



def test_the_optimized_network_opens_at_most_k_centrals_and_never_costs_more():
    # A and B are 1 degree apart: a second central costs 1,000,000 and saves little, so with
    # "exactly K = 2" the optimum would cost more than the named central A with its best front
    from workbench.network.china import run_plan

    params = NetworkParams(max_centrals=2, max_fronts=1)
    report = run_plan(demand(), sites(["A", "B"], fixed=1_000_000.0), sites(["C"]),
                      plan_centrals=["A"], plan_fronts=[], params=params)
    best, named_best = report.plans["optimized"], report.plans["named centrals, best 1 fronts"]
    assert best.status == named_best.status == "optimal"
    assert best.open_centrals == ["A"] or best.open_centrals == ["B"]
    assert best.costs["total"] <= named_best.costs["total"] * (1 + 1e-6)


@pytest.mark.parametrize(("count", "expected"), [
    # one more front that also swaps: both named, the open one as dropped; a cost that rounds to
    # 0 has no sign and a share that rounds to 0 is "the same"
    (dict(used=2, allowed=8, other=3, added=("Chongqing", "Zhengzhou"), dropped=("Wuhan",),
          fixed=191_781.0, saving=-0.4, net=191_781.4, within_24h_gain=-1e-5),
     "Optimized network uses 2 of at most 8 front warehouses: one more front (adding Chongqing "
     "重庆 and Zhengzhou 郑州 and dropping Wuhan 武汉) would mean 191,781 CNY more fixed cost, the same "
     "delivery, line-haul and handling cost, a net 191,781 CNY more in total and the same share "
     "of units within 24 h."),
    (dict(used=2, allowed=8, other=3, added=("Chongqing",), fixed=600_000.0, saving=750_000.0,
          net=-150_000.0, within_24h_gain=0.0123),
     "one more front (adding Chongqing 重庆) would mean 600,000 CNY more fixed cost, 750,000 CNY less "
     "delivery, line-haul and handling cost, a net 150,000 CNY less in total and 1.2 percentage "
     "points more units within 24 h."),
    (dict(used=4, allowed=4, other=3, dropped=("Wuhan",), fixed=-600_000.0, saving=-100_000.0,
          net=-500_000.0, within_24h_gain=-0.02, note="The hot-item target holds with 4."),
     "the limit binds; one fewer front (dropping Wuhan 武汉) would mean 600,000 CNY less fixed "
     "cost, 100,000 CNY more delivery, line-haul and handling cost, a net 500,000 CNY less in "
     "total and 2.0 percentage points fewer units within 24 h. The hot-item target holds with 4."),
    (dict(used=3, allowed=8, other=2, dropped=("Wuhan",), fixed=-600_000.0, saving=-600_000.4,
          net=0.4, within_24h_gain=-0.5),
     "every front candidate that may open is open; one fewer front (dropping Wuhan 武汉) would "
     "mean 600,000 CNY less fixed cost, 600,000 CNY more delivery, line-haul and handling cost, "
     "no change in total cost and 50.0 percentage points fewer units within 24 h."),
])
def test_front_count_text_words_every_sign(count, expected):
    from workbench.network.china import FrontCount

    text = FrontCount(**count).text()
    assert expected in text
    for wrong in ("-0", "less delivery, line-haul and handling cost, a net +", "3th", "--"):
        assert wrong not in text


def test_front_count_text_with_any_field_missing():
    # the limit binds and the compared plan has no numbers (or only some): never a format error
    import itertools

    from workbench.network.china import FrontCount

    values = dict(fixed=1000.0, saving=-2.0, net=1002.0, within_24h_gain=0.01)
    for other in (None, 3, 5):
        for missing in itertools.chain.from_iterable(
                itertools.combinations(values, k) for k in range(len(values) + 1)):
            for blank in (None, float("nan")):
                fields = {**values, **{name: blank for name in missing}}
                text = FrontCount(4, 4, other, ("B",), ("A",), note="note.", **fields).text()
                assert text.startswith("Optimized network uses 4 of at most 4 front warehouses")
                assert text.endswith("note.") and "None" not in text and "nan" not in text
                if other is not None and len(missing) < len(values):
                    assert "adding B and dropping A" in text
