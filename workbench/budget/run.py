"""Running a whole scenario: curves (given or fitted from history), channel rules, allocation,
and the plan as written set against the optimized split.

Money is in yuan throughout; curves are yearly (weekly fits are scaled by ``periods_per_year``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.budget.allocate import Allocation, allocate
from workbench.budget.curves import ChannelFits, fit_channel_curves, hill
from workbench.budget.io import display_path, read_history_csv
from workbench.budget.scenario import Scenario, load_scenario
from workbench.errors import ConfigError, ParameterError

_INTERVAL = (0.05, 0.95)


@dataclass
class ScenarioResult:
    """A solved scenario.

    ``channels``: the channel table given to the allocator (``channel, label, vmax, k, s,
    min_spend, max_spend, min_roi, min_marginal_roi``) plus ``curve`` (given/fitted),
    ``last_year_spend`` and ``planned``. ``plan``: per channel the planned and optimized spend,
    GMV and ROI on the curves, and a bootstrap interval of the optimized GMV where curves were
    fitted (``gmv_low``/``gmv_high``, 5%..95%).
    """

    scenario: Scenario
    channels: pd.DataFrame
    fits: ChannelFits | None
    allocation: Allocation
    plan: pd.DataFrame
    gmv_interval: tuple[float, float] | None

    def summary(self) -> dict:
        s, a = self.scenario, self.allocation
        planned_spend = float(self.plan["planned"].sum())
        planned_gmv = float(self.plan["planned_gmv"].sum())
        return {
            "scenario": s.name, "title": s.title, "total": s.total,
            "allocation_area": s.allocation.area, "allocation_budget": s.allocation_budget,
            "mode": a.mode, "min_roi": a.min_roi, "status": a.status,
            "spend": a.total_spend, "gmv": a.total_gmv, "roi": a.roi,
            "gmv_low": self.gmv_interval[0] if self.gmv_interval else None,
            "gmv_high": self.gmv_interval[1] if self.gmv_interval else None,
            "planned_spend": planned_spend, "planned_gmv": planned_gmv,
            "planned_roi": planned_gmv / planned_spend if planned_spend > 0 else None,
            "budget_shadow_price": a.budget_shadow_price,
            "reason": a.infeasibility.reason if a.infeasibility else None,
        }

    def describe(self) -> str:
        """The scenario, its allocation and the written plan against the optimized one."""
        s, head = self.summary(), f"{self.scenario.name}: {self.scenario.title}"
        lines = [head, f"{s['allocation_area']} budget {s['allocation_budget']:,.0f} of total {s['total']:,.0f}, "
                       f"ROI target {s['min_roi']:g}, mode {s['mode']}", self.allocation.describe()]
        if s["planned_roi"] is not None:
            lines.append(f"plan as written: GMV {s['planned_gmv']:,.0f}, ROI {s['planned_roi']:.3f}")
        if self.gmv_interval:
            lines.append(f"optimized GMV 90% interval from the curve fits: "
                         f"{self.gmv_interval[0]:,.0f} .. {self.gmv_interval[1]:,.0f}")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """JSON-ready: summary, areas, the allocation (allocator contract) and the plan table."""
        plan = self.plan.replace({np.nan: None}).to_dict("records")
        return {
            "summary": self.summary(),
            "source": [display_path(p) for p in self.scenario.files],
            "areas": self.scenario.areas_table().to_dict("records"),
            "lines": self.scenario.lines_table().to_dict("records"),
            "curves": self.channels[["channel", "curve", "vmax", "k", "s"]].to_dict("records"),
            "allocation": self.allocation.to_dict(),
            "plan": plan,
        }


def scenario_channels(scenario: Scenario, fits: ChannelFits | None) -> pd.DataFrame:
    """The allocator's channel table for ``scenario``, with bounds resolved to yuan.

    A channel's minimum is the larger of ``min_spend`` and ``min_vs_last`` x last year's spend,
    its maximum the smaller of ``max_spend`` and ``max_vs_last`` x last year's spend; with
    neither, the maximum is the sum of every channel's ``vmax`` / ``min_roi`` (no plan that keeps
    the ROI target can spend more in total).
    """
    spec = scenario.allocation
    fitted = fits.table.set_index("channel") if fits is not None else None
    rows = []
    for rule in spec.channels:
        if rule.curve is None:
            row = fitted.loc[rule.name]
            vmax, k, s, source = float(row["vmax"]), float(row["k"]), float(row["s"]), "fitted"
        else:
            vmax, k, s, source = rule.curve.vmax, rule.curve.k, rule.curve.s, "given"
        last = float(fitted.loc[rule.name, "last_year_spend"]) if fitted is not None and rule.name in fitted.index \
            else np.nan
        rows.append({"channel": rule.name, "label": rule.label, "vmax": vmax, "k": k, "s": s,
                     "curve": source, "last_year_spend": last, "planned": rule.planned, "rule": rule})
    table = pd.DataFrame(rows)
    ceiling = float(table["vmax"].sum()) / spec.min_roi
    lows, highs = [], []
    for row in table.itertuples():
        rule = row.rule
        lo = [rule.min_spend or 0.0]
        hi = [v for v in (rule.max_spend,) if v is not None]
        if rule.min_vs_last is not None:
            lo.append(rule.min_vs_last * row.last_year_spend)
        if rule.max_vs_last is not None:
            hi.append(rule.max_vs_last * row.last_year_spend)
        lows.append(max(lo))
        highs.append(min(hi) if hi else ceiling)
    table["min_spend"] = lows
    table["max_spend"] = highs
    table["min_roi"] = [r.min_roi if r.min_roi is not None else np.nan for r in table["rule"]]
    table["min_marginal_roi"] = [r.min_marginal_roi if r.min_marginal_roi is not None else np.nan
                                 for r in table["rule"]]
    bad = table["min_spend"] > table["max_spend"]
    if bad.any():
        name = table.loc[bad, "channel"].iloc[0]
        raise ConfigError(f"{display_path(scenario.source)}: allocation.channels.{name}: its minimum "
                          f"({table.loc[bad, 'min_spend'].iloc[0]:,.0f}) is above its maximum "
                          f"({table.loc[bad, 'max_spend'].iloc[0]:,.0f}) once min_vs_last/max_vs_last "
                          f"are applied to last year's spend")
    return table.drop(columns="rule")


def run_scenario(source: str | Path | Scenario, *, solver: str | None = None, bootstrap: int | None = None,
                 time_limit: float = 60.0) -> ScenarioResult:
    """Load (if given a path), fit missing curves, allocate and evaluate the written plan."""
    scenario = source if isinstance(source, Scenario) else load_scenario(source)
    spec = scenario.allocation
    if bootstrap is not None and (not isinstance(bootstrap, int) or bootstrap < 0):
        raise ParameterError(f"bootstrap must be a whole number >= 0, got {bootstrap!r}")
    fits = None
    if spec.history is not None:
        history = read_history_csv(spec.history)
        wanted = [r.name for r in spec.channels]
        history = history[history["channel"].astype(str).isin(wanted)]
        fits = fit_channel_curves(history, n_bootstrap=spec.bootstrap if bootstrap is None else bootstrap,
                                  seed=spec.seed, periods_per_year=spec.periods_per_year)
    channels = scenario_channels(scenario, fits)
    allocation = allocate(channels.drop(columns=["curve", "last_year_spend", "planned"]), mode=spec.mode,
                          budget=scenario.allocation_budget if spec.mode == "budget" else None,
                          gmv_target=spec.gmv_target, min_roi=spec.min_roi, solver=solver or spec.solver,
                          tolerance=spec.tolerance, time_limit=time_limit)
    plan, interval = _plan_table(channels, allocation, fits)
    return ScenarioResult(scenario, channels, fits, allocation, plan, interval)


def _plan_table(channels: pd.DataFrame, allocation: Allocation, fits: ChannelFits | None):
    """Planned versus optimized spend and GMV per channel, and the optimized GMV's interval."""
    planned = channels["planned"].to_numpy(float)
    planned_gmv = hill(planned, channels["vmax"].to_numpy(), channels["k"].to_numpy(), channels["s"].to_numpy())
    plan = pd.DataFrame({"channel": channels["channel"], "label": channels["label"], "planned": planned,
                         "planned_gmv": planned_gmv,
                         "planned_roi": np.where(planned > 0, planned_gmv / np.where(planned > 0, planned, 1), np.nan)})
    interval = None
    if allocation.feasible:
        opt = allocation.channels.set_index("channel")
        plan["optimized"] = opt.loc[plan["channel"], "spend"].to_numpy()
        plan["optimized_gmv"] = opt.loc[plan["channel"], "gmv"].to_numpy()
        plan["optimized_roi"] = opt.loc[plan["channel"], "roi"].to_numpy()
        plan["marginal_roi"] = opt.loc[plan["channel"], "marginal_roi"].to_numpy()
        if fits is not None and len(fits.samples):
            draws = _bootstrap_gmv(channels, plan["optimized"].to_numpy(), fits)
            plan["gmv_low"] = np.quantile(draws, _INTERVAL[0], axis=0)
            plan["gmv_high"] = np.quantile(draws, _INTERVAL[1], axis=0)
            totals = draws.sum(axis=1)
            interval = (float(np.quantile(totals, _INTERVAL[0])), float(np.quantile(totals, _INTERVAL[1])))
    return plan, interval


def _bootstrap_gmv(channels: pd.DataFrame, spend: np.ndarray, fits: ChannelFits) -> np.ndarray:
    """GMV per bootstrap draw (rows) and channel (columns); given curves contribute their value."""
    samples = fits.samples
    n_draws = int(samples["draw"].max()) + 1
    out = np.empty((n_draws, len(channels)))
    for j, row in enumerate(channels.itertuples()):
        mine = samples[samples["channel"] == row.channel]
        if row.curve == "fitted" and len(mine):
            out[:, j] = hill(spend[j], mine["vmax"].to_numpy(), mine["k"].to_numpy(), mine["s"].to_numpy())
        else:
            out[:, j] = hill(spend[j], row.vmax, row.k, row.s)
    return out
