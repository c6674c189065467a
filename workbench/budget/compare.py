"""Side-by-side comparison of solved scenarios: totals per area, traffic allocation, GMV and ROI."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from workbench.budget.run import ScenarioResult
from workbench.errors import ParameterError


@dataclass
class Comparison:
    """Long tables (one row per scenario and item; money in yuan).

    ``summary``: one row per scenario (see :meth:`ScenarioResult.summary`).
    ``areas``: ``scenario, area, label, amount, share``.
    ``traffic``: ``scenario, channel, label, planned, optimized, planned_gmv, optimized_gmv,
    optimized_roi, marginal_roi``.
    """

    summary: pd.DataFrame
    areas: pd.DataFrame
    traffic: pd.DataFrame

    def areas_wide(self) -> pd.DataFrame:
        """Area amounts with one column per scenario (areas missing from a scenario are 0)."""
        return self.areas.pivot_table(index="area", columns="scenario", values="amount", aggfunc="sum",
                                      fill_value=0.0, sort=False)

    def traffic_wide(self, value: str = "optimized") -> pd.DataFrame:
        """One traffic figure per channel with one column per scenario (missing channels are 0)."""
        return self.traffic.pivot_table(index="channel", columns="scenario", values=value, aggfunc="sum",
                                        fill_value=0.0, sort=False)

    def describe(self) -> str:
        """The summary as a terminal table (money in millions)."""
        table = self.summary[["scenario", "total", "allocation_budget", "min_roi", "status", "spend", "gmv",
                              "roi", "planned_gmv", "planned_roi"]].copy()
        for col in ("total", "allocation_budget", "spend", "gmv", "planned_gmv"):
            table[col] = table[col].astype(float) / 1e6
        table = table.rename(columns={c: f"{c} (M)" for c in ("total", "allocation_budget", "spend", "gmv",
                                                              "planned_gmv")})
        return table.to_string(index=False, float_format=lambda v: f"{v:,.2f}")

    def to_dict(self) -> dict:
        clean = lambda f: f.astype(object).where(f.notna(), None).to_dict("records")  # noqa: E731
        return {"summary": clean(self.summary), "areas": clean(self.areas), "traffic": clean(self.traffic)}


def compare_scenarios(results: list[ScenarioResult]) -> Comparison:
    """Compare solved scenarios in the order given; returns a :class:`Comparison`. Raises
    :class:`ParameterError` for an empty list or repeated scenario names."""
    if not results:
        raise ParameterError("compare_scenarios needs at least one solved scenario")
    names = [r.scenario.name for r in results]
    if len(set(names)) != len(names):
        raise ParameterError(f"scenario names repeat ({', '.join(names)}); give each scenario file its own `name`")
    summary = pd.DataFrame([r.summary() for r in results])
    areas = pd.concat([r.scenario.areas_table().assign(scenario=r.scenario.name) for r in results],
                      ignore_index=True)
    columns = ["scenario", "channel", "label", "planned", "optimized", "planned_gmv", "optimized_gmv",
               "optimized_roi", "marginal_roi"]
    traffic = pd.concat([r.plan.assign(scenario=r.scenario.name).reindex(columns=columns) for r in results],
                        ignore_index=True)
    return Comparison(summary, areas[["scenario", "area", "label", "amount", "share"]], traffic)
