"""Running a whole scenario: curves (given or fitted from history), channel rules, allocation,
and the plan as written set against the optimized split.

Money is in yuan throughout; curves are yearly (weekly fits are scaled by ``periods_per_year``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.budget.allocate import Allocation, allocate
from workbench.budget.channels import ChannelSpec, channels_frame
from workbench.budget.curves import ChannelFits, fit_channel_curves, hill
from workbench.budget.explain import certainty_text, money, shown
from workbench.data.io import display_path
from workbench.budget.modes import MODES
from workbench.budget.infeasibility import Infeasibility
from workbench.budget.scenario import UNITS, Scenario, load_scenario
from workbench.data.io import json_ready
from workbench.errors import ConfigError, ParameterError

_INTERVAL = (0.05, 0.95)


@dataclass
class ScenarioResult:
    """A solved scenario.

    ``specs``: the channels given to the allocator (typed, money in yuan). ``channels``: the
    same as a table for display (:func:`~workbench.budget.channels.channels_frame`) plus
    ``planned``. ``plan``: per channel the planned and optimized spend, GMV and ROI on the
    curves, and a bootstrap interval of the optimized GMV where curves were fitted
    (``gmv_low``/``gmv_high``, 5%..95%).
    """

    scenario: Scenario
    specs: tuple[ChannelSpec, ...]
    channels: pd.DataFrame
    fits: ChannelFits | None
    allocation: Allocation
    plan: pd.DataFrame
    gmv_interval: tuple[float, float] | None
    gain_interval: tuple[float, float] | None = None

    def summary(self) -> dict:
        s, a = self.scenario, self.allocation
        planned_spend = float(self.plan["planned"].sum())
        planned_gmv = float(self.plan["planned_gmv"].sum())
        return {
            "scenario": s.name, "title": s.title, "total": s.total,
            "allocation_area": s.allocation.area, "allocation_budget": s.allocation_budget,
            "area_amount": s.area_amount,
            "window_share": s.allocation.window.total if s.allocation.window else None,
            "budget_source": s.budget_text(),
            "mode": a.mode, "min_roi": a.min_roi, "status": a.status,
            "spend": a.total_spend, "gmv": a.total_gmv, "roi": a.roi,
            "gmv_low": self.gmv_interval[0] if self.gmv_interval else None,
            "gmv_high": self.gmv_interval[1] if self.gmv_interval else None,
            "gain_low": self.gain_interval[0] if self.gain_interval else None,
            "gain_high": self.gain_interval[1] if self.gain_interval else None,
            "planned_spend": planned_spend, "planned_gmv": planned_gmv,
            "planned_roi": planned_gmv / planned_spend if planned_spend > 0 else None,
            "budget_shadow_price": a.budget_shadow_price,
            "gmv_target": a.gmv_target if a.gmv_target is not None else s.allocation.gmv_target,
            "gmv_target_source": s.allocation.gmv_forecast.describe() if s.allocation.gmv_forecast else None,
            "within_budget": within_budget(a, s.allocation_budget),
            "reason": a.infeasibility.text if a.infeasibility else (a.message if not a.feasible else None),
            "notes": list(self.fits.notes) if self.fits is not None else [],
        }

    def describe(self) -> str:
        """The scenario, its allocation and the written plan against the optimized one."""
        s, head = self.summary(), f"{self.scenario.name}: {self.scenario.title}"
        lines = [head, f"{self.scenario.budget_text()}, ROI target {s['min_roi']:g}, mode {s['mode']}",
                 self.allocation.describe()]
        if s["gmv_target_source"]:
            lines.append(s["gmv_target_source"])
        if self.allocation.feasible:
            verdict = "within" if s["within_budget"] else "ABOVE"
            period = " of the window" if self.scenario.allocation.window is not None else ""
            lines.append(f"traffic spend {self.allocation.total_spend:,.0f} is {verdict} the {s['allocation_area']} "
                         f"budget{period} {s['allocation_budget']:,.0f} "
                         f"({'headroom' if s['within_budget'] else 'short by'} "
                         f"{money(abs(s['allocation_budget'] - self.allocation.total_spend))})")
        if s["planned_roi"] is not None:
            lines.append(f"plan as written: GMV {s['planned_gmv']:,.0f}, ROI {s['planned_roi']:.3f}")
        if self.allocation.feasible:
            lines.append(certainty_text(self))
        lines += [f"note: {note}" for note in s["notes"]]
        return "\n".join(lines)

    def plan_formats(self) -> dict[str, str]:
        """Display kinds of the plan table's columns (for :func:`workbench.reports.tables.show_table`):
        names text, ROIs ratios, the rest money; only the columns present (no optimized columns
        without a plan)."""
        kind = lambda c: "text" if c in ("channel", "label") else "ratio" if c.endswith("roi") else "money"  # noqa: E731
        return {c: kind(c) for c in self.plan.columns}

    def to_dict(self) -> dict:
        """JSON-ready: summary, areas, the allocation (allocator contract) and the plan table."""
        return json_ready({
            "summary": self.summary(),
            "source": [display_path(p) for p in self.scenario.files],
            "areas": self.scenario.areas_table().to_dict("records"),
            "lines": self.scenario.lines_table().to_dict("records"),
            "curves": self.channels[["channel", "curve", "vmax", "k", "s"]].to_dict("records"),
            "allocation": self.allocation.to_dict(),
            "plan": self.plan.to_dict("records"),
        })


def within_budget(allocation: Allocation, budget: float) -> bool | None:
    """Whether a plan's spend fits the traffic area's budget (yuan, 1e-9 relative slack for
    solver round-off); ``None`` without a plan."""
    if not allocation.feasible:
        return None
    return bool(allocation.total_spend <= budget * (1 + 1e-9))


def scenario_channel_specs(scenario: Scenario, fits: ChannelFits | None) -> tuple[ChannelSpec, ...]:
    """The allocator's channels for ``scenario`` (yuan): given or fitted curves, bounds resolved.

    Bounds come resolved from the scenario (:class:`~workbench.budget.scenario.ChannelRule`
    ``lower``/``upper``, checked against last year's spend at load). A channel with no maximum
    gets the sum of every channel's ``vmax`` / ``min_roi``: no plan that keeps the ROI target
    can spend more in total. Raises :class:`ConfigError` (naming the channel's line) when a
    minimum is above that cap.
    """
    spec = scenario.allocation
    curves = {r.name: r.curve if r.curve is not None else fits.curve(r.name) for r in spec.channels}
    ceiling = sum(c.vmax for c in curves.values()) / spec.min_roi
    out = []
    for rule in spec.channels:
        upper = rule.upper if rule.upper is not None else ceiling
        if rule.lower > upper:
            raise ConfigError(f"{rule.where}: allocation.channels.{rule.name}: its minimum {rule.lower:,.0f} is "
                              f"above {upper:,.0f}, the most any plan keeping ROI >= {spec.min_roi:g} can "
                              f"spend (sum of vmax / min_roi); lower min_spend / min_vs_last")
        out.append(ChannelSpec(rule.name, curves[rule.name], rule.lower, upper, rule.label, rule.min_roi,
                               rule.min_marginal_roi, "given" if rule.curve is not None else "fitted",
                               rule.last_year_spend))
    return tuple(out)


def run_scenario(source: str | Path | Scenario, *, solver: str | None = None, bootstrap: int | None = None,
                 time_limit: float = 60.0) -> ScenarioResult:
    """Load (if given a path), fit missing curves, allocate and evaluate the written plan.

    ``solver`` and ``bootstrap`` override the scenario's own; ``time_limit`` is in seconds per
    solve. Raises :class:`ConfigError` for an invalid scenario, :class:`ParameterError` for
    invalid arguments; an infeasible allocation is a result, not an error.
    """
    scenario = source if isinstance(source, Scenario) else load_scenario(source)
    spec = scenario.allocation
    if bootstrap is not None and (isinstance(bootstrap, bool) or not isinstance(bootstrap, int) or bootstrap < 0):
        raise ParameterError(f"bootstrap must be a whole number >= 0, got {shown(bootstrap)}")
    fits = None
    fitted = [r.name for r in spec.channels if r.curve is None]
    if fitted:
        history = spec.history_table[spec.history_table["channel"].astype(str).isin(fitted)]
        fits = fit_channel_curves(history, n_bootstrap=spec.bootstrap if bootstrap is None else bootstrap,
                                  seed=spec.seed, periods_per_year=spec.periods_per_year)
    specs = scenario_channel_specs(scenario, fits)
    mode = MODES[spec.mode]
    target = {mode.target: scenario.allocation_target} if mode.target else {}
    allocation = allocate(specs, mode=spec.mode, min_roi=spec.min_roi, solver=solver or spec.solver,
                          tolerance=spec.tolerance, time_limit=time_limit, **target)
    if allocation.infeasibility is not None and allocation.infeasibility.min_scale is not None:
        allocation.infeasibility.advice = minimum_advice(scenario, allocation.infeasibility)
    channels = channels_frame(specs).assign(planned=[r.planned for r in spec.channels])
    plan, interval, gain = _plan_table(channels, allocation, fits)
    return ScenarioResult(scenario, specs, channels, fits, allocation, plan, interval, gain)


def minimum_advice(scenario: Scenario, infeasibility: Infeasibility) -> str:
    """What to change in the scenario when channel minimums hold the best ROI below the target,
    in the scenario's own keys: ``min_vs_last`` where it sets the channel's minimum (rounded down
    to 3 decimals, so the new value meets the target), else ``min_spend`` in the scenario's unit
    (rounded down to 4 significant digits). Uses ``infeasibility.min_scale`` (see
    :class:`~workbench.budget.infeasibility.Infeasibility`)."""
    spec, scale = scenario.allocation, infeasibility.min_scale
    if scale == 0:
        return f"lowering the channel minimums alone does not reach ROI {spec.min_roi:g}"
    rules = {r.name: r for r in spec.channels}
    factor = UNITS[scenario.unit]
    changes: dict[str, list[str]] = {}
    for item in infeasibility.binding:
        if not item.startswith("min_spend["):
            continue
        rule = rules[item[len("min_spend["):-1]]
        by_ratio = rule.min_vs_last is not None and rule.last_year_spend is not None and \
            rule.lower <= rule.min_vs_last * rule.last_year_spend * (1 + 1e-12)
        if by_ratio:
            change = f"min_vs_last to {math.floor(rule.min_vs_last * scale * 1000) / 1000:g} (now {rule.min_vs_last:g})"
        else:
            new = rule.lower * scale / factor
            digits = 3 - int(math.floor(math.log10(new))) if new > 0 else 0
            change = (f"min_spend to {math.floor(new * 10 ** digits) / 10 ** digits:,.{max(digits, 0)}f} "
                      f"(now {rule.lower / factor:,g} {scenario.unit})")
        changes.setdefault(change, []).append(rule.name)
    return (f"to reach ROI {spec.min_roi:g}, lower " +
            "; ".join(f"{c} on {', '.join(names)}" for c, names in changes.items()) +
            f" (the minimums at {scale:.4f} x their values), or lower min_roi to the best achievable")


def _plan_table(channels: pd.DataFrame, allocation: Allocation, fits: ChannelFits | None):
    """Planned versus optimized spend and GMV per channel, the optimized GMV's 90% interval and
    the 90% interval of its gain over the written plan (paired bootstrap draws)."""
    planned = channels["planned"].to_numpy(float)
    planned_gmv = hill(planned, channels["vmax"].to_numpy(), channels["k"].to_numpy(), channels["s"].to_numpy())
    plan = pd.DataFrame({"channel": channels["channel"], "label": channels["label"], "planned": planned,
                         "planned_gmv": planned_gmv,
                         "planned_roi": np.where(planned > 0, planned_gmv / np.where(planned > 0, planned, 1), np.nan)})
    interval = gain = None
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
            # the same draw scores both plans, so the gain's interval leaves out what they share
            gains = totals - _bootstrap_gmv(channels, planned, fits).sum(axis=1)
            gain = (float(np.quantile(gains, _INTERVAL[0])), float(np.quantile(gains, _INTERVAL[1])))
    return plan, interval, gain


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
