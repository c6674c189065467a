"""OR-Library capacitated warehouse location: every cap41..cap134 instance reaches its proven optimum."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.errors import DataValidationError
from workbench.network.facility import solve_facility_location
from workbench.network.orlib import read_cap, read_cap_optima

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def cap_dir(shared):
    return shared / "benchmarks" / "orlib" / "cap"


@pytest.fixture(scope="module")
def optima(cap_dir):
    return read_cap_optima(cap_dir / "capopt.txt")


def test_optima_table_lists_37_cap_instances_and_capa_variants(optima):
    plain = optima[optima["capacity"].isna()]
    assert len(plain) == 37
    assert plain["instance"].iloc[0] == "cap41" and plain["instance"].iloc[-1] == "cap134"
    capa = optima[optima["instance"] == "capa"]
    assert capa["capacity"].tolist() == [8000, 10000, 12000, 14000]
    assert capa["optimum"].iloc[0] == pytest.approx(19240822.449)


def test_costs_are_for_the_whole_demand(cap_dir):
    inst = read_cap(cap_dir / "cap41.txt")
    assert inst.cost.shape == (16, 50)
    sites, customers, costs = inst.tables()
    # shipping all of a customer's demand at the unit cost gives back the file's cost
    first = costs.iloc[0]
    assert first["unit_cost"] * customers["demand"].iloc[0] == pytest.approx(inst.cost[0, 0])


def test_capa_needs_the_substituted_capacity(cap_dir):
    with pytest.raises(DataValidationError, match="capacity="):
        read_cap(cap_dir / "capa.txt")
    inst = read_cap(cap_dir / "capa.txt", capacity=8000)
    assert inst.cost.shape == (100, 1000)
    assert np.all(inst.capacity == 8000)


def test_truncated_file_is_rejected(tmp_path):
    bad = tmp_path / "cap00.txt"
    bad.write_text("2 1\n10 5\n10 5\n3 1.0\n")
    with pytest.raises(DataValidationError, match="tokens"):
        read_cap(bad)


def _plain_instances():
    from pathlib import Path

    shared = Path(__file__).resolve().parents[2] / ".." / "shared"
    opt = shared / "benchmarks" / "orlib" / "cap" / "capopt.txt"
    if not opt.is_file():
        return ["cap41"]  # collected without ../shared; the shared fixture skips the test
    table = read_cap_optima(opt)
    return table.loc[table["capacity"].isna(), "instance"].tolist()


@pytest.mark.parametrize("name", _plain_instances())
def test_highs_reaches_proven_optimum(name, cap_dir, optima):
    expected = optima.loc[(optima["instance"] == name) & optima["capacity"].isna(), "optimum"].item()
    sites, customers, costs = read_cap(cap_dir / f"{name}.txt").tables()
    result = solve_facility_location(sites, customers, costs, solver="highs")
    assert result.status == "optimal"
    assert abs(result.objective - expected) / expected < 1e-6
    assert result.gap is not None and result.gap <= 1e-6
    # the flows add up to every customer's demand and stay within the open sites' capacities
    served = result.flows.groupby("customer")["quantity"].sum()
    assert np.allclose(served.loc[customers["customer"]].to_numpy(), customers["demand"].to_numpy())
    used = result.flows.groupby("site")["quantity"].sum()
    cap = sites.set_index("site")["capacity"]
    assert set(used.index) <= set(result.open_sites)
    assert (used <= cap.loc[used.index] * (1 + 1e-9)).all()
    assert result.fixed_cost + result.transport_cost == pytest.approx(result.objective, rel=1e-9)


@pytest.mark.parametrize("name", ["cap41", "cap71", "cap131"])
def test_cbc_reaches_proven_optimum(name, cap_dir, optima):
    expected = optima.loc[(optima["instance"] == name) & optima["capacity"].isna(), "optimum"].item()
    sites, customers, costs = read_cap(cap_dir / f"{name}.txt").tables()
    result = solve_facility_location(sites, customers, costs, solver="cbc")
    assert result.status == "optimal"
    assert abs(result.objective - expected) / expected < 1e-6
