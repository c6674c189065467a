"""notebooks/planning_cycle.ipynb on a shop with one warehouse of its own (trial 16 F3)."""

from __future__ import annotations

import json

import pytest

from workbench.data.sample import load_sample


@pytest.mark.slow
def test_one_own_warehouse_is_planned_as_given(run_notebook, tmp_path, monkeypatch):
    """A shop that ships from one warehouse in 杭州 names it in Chinese: the cycle plans that
    warehouse alone (no siting, no proposed sites), with no invented capacity (unlimited, said in
    a note), and its stock plan is at 杭州, read from the shop's own stock file."""
    sales = load_sample("sku")
    sales = sales[sales["sku"].isin(["BEA-N-01", "BEA-E-01"]) & (sales["ds"] >= "2025-01-01")]
    sales = sales.assign(sku=sales["sku"].str[-4:].radd("NUT-"))[["ds", "sku", "region", "units", "gmv"]]
    (tmp_path / "sales.csv").write_text(sales.to_csv(index=False), encoding="utf-8")
    (tmp_path / "stock.csv").write_text("sku,warehouse,on_hand,on_order,unit_cost\nNUT-N-01,杭州,400,0,35\n"
                                        "NUT-E-01,杭州,50,20,35\n", encoding="utf-8")
    record_file = tmp_path / "record.json"
    monkeypatch.setenv("WORKBENCH_RECORD_FILE", str(record_file))
    nb = run_notebook("planning_cycle.ipynb", {
        "data": str(tmp_path / "sales.csv"), "stock": str(tmp_path / "stock.csv"), "category": None,
        "centrals": ["杭州"], "fronts": [], "time_limit": 60.0})
    text = "".join("".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/html", ""))
                   for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    recorded = json.loads(record_file.read_text())["results"]
    assert 0 < recorded["kpi_coverage_72h"] <= 1  # measured from Hangzhou (its North and East units)
    assert recorded["kpi_ship_48h_p90"] == pytest.approx(1.0)  # no capacity given: no backlog
    assert "kpi_coverage_72h_as_given" not in recorded  # one network: the plan as given
    assert "a fixed network (siting off): the warehouses as given, Hangzhou 杭州" in text
    assert "daily handling capacity of Hangzhou: not given, so unlimited" in text
    assert "ASSUMED" not in text and "PROPOSED" not in text and "optimized" not in text
    assert recorded["stock_to_buy_units"] >= 0
