"""Words for budget answers: what binds, and how sure the numbers are.

Every sentence a report or the CLI shows about an allocation or a frontier is built here, from
the solved results, so it is tested once and said the same way everywhere:

* :func:`binding_text` - the rules that limit a plan (the budget, the ROI floor, channel caps,
  minimums, channel ROI floors, the GMV target), in words;
* :func:`certainty_text` - the optimized GMV's 90% interval from the bootstrap curve fits, and
  whether the gain over the written plan is larger than that uncertainty (in ``gmv_target``
  mode: the spend saved at the target, and whether the target is reached across the fits);
* :func:`frontier_levels_text`, :func:`frontier_target_text` - the frontier's budget levels
  (which cannot be spent, where the curve is flat) and what sets the ROI-target point;
* :func:`curves_caption`, :func:`allocation_caption`, :func:`frontier_caption`,
  :func:`comparison_caption` - the figure captions.

Money is shown in million CNY with one decimal from one million up (``12.3M``), in yuan below
(``¥4,200``: a non-zero amount never reads 0.0M, :func:`m`), or whole (:func:`money`) in terminal
lines; ratios with two decimals; values in messages through :func:`shown` (never a numpy repr).
The module imports nothing heavy, so the CLI can build its help from it and :mod:`modes`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.notes import figure

if TYPE_CHECKING:
    from workbench.budget.allocate import Allocation
    from workbench.budget.frontier import Frontier
    from workbench.budget.run import ScenarioResult

_RTOL = 1e-6


def shown(value) -> str:
    """A value as a user wrote it: numpy scalars as plain Python numbers (never ``np.float64(..)``)."""
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        value = value.item()
    return repr(value)


def money(x: float) -> str:
    """Money as a whole number with thousands separators (``120,000,000``); an amount under one
    yuan with its first significant digits (``0.42``), never as 0 (``notes.figure``)."""
    return figure(x)


def m(x: float, *, signed: bool = False) -> str:
    """Money in million CNY with one decimal from one million up (``12.3M``), else in yuan
    (``¥4,200``, ``notes.figure``: never ``0.0M`` for a non-zero amount, trial 15 F8), signed
    when ``signed`` (``+12.3M``, ``-¥4,200``)."""
    x = float(x)
    sign = ("+" if x >= 0 else "-") if signed else ("-" if x < 0 else "")
    return f"{sign}{abs(x) / 1e6:,.1f}M" if abs(x) >= 1e6 else f"{sign}¥{figure(abs(x))}"


def _rule(item: str) -> str:
    """One entry of ``Allocation.binding`` in words."""
    if "[" in item:
        kind, name = item[:-1].split("[", 1)
        return {"max_spend": f"{name}'s cap (max_spend)", "min_spend": f"{name}'s minimum (min_spend)",
                "min_roi": f"{name}'s own ROI floor", "min_marginal_roi": f"{name}'s marginal-ROI floor"}[kind]
    return {"budget": "the budget (all of it is spent)", "min_roi": "the total ROI floor",
            "gmv_target": "the GMV target"}[item]


def binding_words(binding: list[str]) -> str:
    """Binding rules in words, channel rules of one kind grouped: ``"the total ROI floor, the
    minimums (min_spend) of a, b"``."""
    kinds = {"max_spend": "the caps (max_spend)", "min_spend": "the minimums (min_spend)",
             "min_roi": "the own ROI floors", "min_marginal_roi": "the marginal-ROI floors"}
    groups: dict[str, list[str]] = {}
    words = []
    for item in binding:
        if "[" not in item:
            words.append(_rule(item))
            continue
        kind, name = item[:-1].split("[", 1)
        if kind not in groups:
            groups[kind] = []
            words.append(kind)
        groups[kind].append(name)
    return ", ".join(_rule(f"{w}[{groups[w][0]}]") if w in groups and len(groups[w]) == 1 else
                     f"{kinds[w]} of {', '.join(groups[w])}" if w in groups else w for w in words)


def binding_text(allocation: Allocation) -> str:
    """What limits the plan, e.g. ``"binding: the total ROI floor, splash's cap (max_spend)"``;
    for an answer without a plan, its status and reason."""
    if not allocation.feasible:
        if allocation.infeasibility is not None:
            return f"no plan meets the rules ({allocation.infeasibility.kind}): {allocation.infeasibility.text}"
        return allocation.outcome.describe()
    if not allocation.binding:
        return "nothing binds: no rule stops the plan (every channel is inside its range)"
    return "binding: " + ", ".join(_rule(b) for b in allocation.binding)


def certainty_text(result: ScenarioResult) -> str:
    """How sure the optimized GMV and its gain over the written plan are (90% bootstrap intervals).

    The gain's interval comes from the same draws scoring both plans: when it contains 0 (or,
    without one, the written plan's GMV lies inside the optimized GMV's interval) the text says
    the curves cannot tell the two plans apart; an interval above 0 says the gain is positive in
    at least 95% of the fits, one below 0 that it is negative. In ``gmv_target`` mode (the goal
    is the least spend, not more GMV) it speaks of the spend saved at the target instead (see
    :func:`_target_certainty`). Without fitted curves it says the curves were given.
    """
    a, plan = result.allocation, result.plan
    if not a.feasible:
        return "no plan, so no interval"
    if a.mode == "gmv_target":
        return _target_certainty(result)
    planned = float(plan["planned_gmv"].sum())
    gain = a.total_gmv - planned
    share = f" ({gain / planned:+.1%})" if planned > 0 else ""
    parts = [f"optimized GMV {m(a.total_gmv)}, {m(gain, signed=True)}{share} against the written plan's {m(planned)}"]
    if result.gmv_interval is None:
        parts.append(_exact_without_interval(result, m))
        return "; ".join(parts)
    low, high = result.gmv_interval
    parts.append(f"90% interval of the optimized GMV from the curve fits {m(low)} .. {m(high)}")
    inside = low <= planned <= high
    if result.gain_interval is not None:
        g_low, g_high = result.gain_interval
        parts.append(f"90% interval of the gain {m(g_low, signed=True)} .. {m(g_high, signed=True)}")
        if g_low <= 0 <= g_high:
            parts.append("the gain is within the fits' uncertainty: the curves cannot tell the optimized "
                         "split from the written one")
        elif g_high < 0:
            parts.append("the gain is negative in at least 95% of the fits: the written plan earns more GMV")
        elif inside:
            parts.append("the gain is smaller than the uncertainty of the GMV level (the written plan's GMV "
                         "lies inside the optimized GMV's interval), but positive in at least 95% of the fits")
        else:
            parts.append("the gain is positive in at least 95% of the fits")
    elif inside:
        parts.append("the written plan's GMV lies inside this interval: the gain is within the fits' uncertainty")
    return "; ".join(parts)


def _target_certainty(result: ScenarioResult) -> str:
    """``gmv_target`` mode: the spend saved at the target against the written plan (and whether
    the written plan reaches the target on the point fits), and whether the least spend reaches
    the target across the fits' 90% interval."""
    a, plan = result.allocation, result.plan
    target = a.gmv_target
    planned_spend, planned_gmv = float(plan["planned"].sum()), float(plan["planned_gmv"].sum())
    amount = m
    saved = planned_spend - a.total_spend
    reach = "reaches" if planned_gmv >= target * (1 - _RTOL) else "falls short of"
    versus = (f"{amount(saved)} less than" if saved > 0 else f"{amount(-saved)} more than" if saved < 0 else "the same as")
    parts = [f"least spend {amount(a.total_spend)} for the GMV target {amount(target)}: {versus} the written plan's "
             f"{amount(planned_spend)}, whose GMV {amount(planned_gmv)} on the point fits {reach} the target"]
    if result.gmv_interval is None:
        parts.append(_exact_without_interval(result, amount))
        return "; ".join(parts)
    low, high = result.gmv_interval
    parts.append(f"90% interval of the GMV this spend brings, from the curve fits {amount(low)} .. {amount(high)}")
    if low >= target * (1 - _RTOL):
        parts.append("the target is reached in at least 95% of the fits")
    elif high < target * (1 - _RTOL):
        parts.append("the target is missed in at least 95% of the fits: plan more spend or a lower target")
    else:
        parts.append("the interval spans the target: on the fits' uncertainty this spend may fall short of it")
    return "; ".join(parts)


def curves_caption(result: ScenarioResult) -> str:
    """Caption of the response-curve figure: where each curve comes from and what the bands are."""
    fitted = [c.name for c in result.specs if c.curve_source == "fitted"]
    given = [c.name for c in result.specs if c.curve_source != "fitted"]
    parts = []
    if fitted:
        weeks = int(result.fits.table["n_weeks"].max()) if result.fits is not None else 0
        draws = int(result.fits.samples["draw"].max()) + 1 if result.fits is not None and len(result.fits.samples) else 0
        band = (f"bands: 5-95% of {draws} bootstrap refits" if draws else
                "no bands: bootstrap 0, so the fits' uncertainty is not shown")
        parts.append(f"fitted from up to {weeks} weeks of history ({', '.join(fitted)}); {band}")
    if given:
        parts.append(f"given in the scenario ({', '.join(given)}), no uncertainty")
    return "Response curves " + "; ".join(parts) + ". ○ the written plan, ◆ the optimized split."


def _exact_without_interval(result: ScenarioResult, money) -> str:
    """Why there is no interval, and that the figures are exact on the curves (``money``
    formats the approximation bound)."""
    return (f"{_no_interval(result)}; the figures are exact on those curves within the approximation "
            f"bound {money(result.allocation.approximation_error)}")


def _no_interval(result: ScenarioResult) -> str:
    """Why a result has no GMV interval: its curves are given, or the fits were not bootstrapped."""
    if any(c.curve_source == "fitted" for c in getattr(result, "specs", ())):
        return "bootstrap 0, so no interval of the fits' uncertainty is computed"
    return "the curves are given, not fitted, so no interval is computed"


def allocation_caption(result: ScenarioResult) -> str:
    """Caption of the allocation figure: the answer's status, what binds, how sure it is."""
    a = result.allocation
    head = f"{result.scenario.title}: {a.status}"
    if a.feasible:
        head += f", spend {m(a.total_spend)}, GMV {m(a.total_gmv)}, ROI {a.roi:.2f}"
        if a.min_roi is not None:
            head += f" (target >= {a.min_roi:g})"
    return ". ".join([head, binding_text(a), certainty_text(result)]) + "."


def comparison_caption(results: list[ScenarioResult]) -> str:
    """Caption of the scenario comparison: each scenario's answer status and what binds, and
    what the GMV error bars are."""
    parts = [f"{r.scenario.name}: {r.allocation.status}, {binding_text(r.allocation)}" for r in results]
    bars = ("error bars: 90% interval of the optimized GMV from the curve fits"
            if any(r.gmv_interval is not None for r in results) else
            f"no error bars: {_no_interval(results[0]) if len(results) == 1 else 'no scenario has an interval'}")
    return "; ".join(parts) + f". {bars}."


def frontier_levels_text(frontier: Frontier) -> str:
    """How many budget levels were solved, and why the others are left out or flat."""
    from workbench.optimize import SOLVED

    points = frontier.points
    n = len(points)
    solved = points["status"].isin(SOLVED)
    below = points["budget"] < frontier.min_total * (1 - _RTOL)
    flat = solved & (points["budget"] >= frontier.cap_total * (1 - _RTOL))
    failed = ~solved & ~below
    text = (f"{n} budget levels from {m(points['budget'].min())} to {m(points['budget'].max())}, "
            f"{int(solved.sum())} solved")
    notes = []
    if below.any():
        notes.append(f"{int(below.sum())} below the channel minimums' sum {m(frontier.min_total)} cannot be spent "
                     f"and are left out")
    if flat.any():
        notes.append(f"{int(flat.sum())} at or above the channel caps' sum {m(frontier.cap_total)} are flat: every "
                     f"channel is at its cap, so more budget buys nothing")
    if failed.any():
        statuses = ", ".join(sorted(set(points.loc[failed, "status"])))
        notes.append(f"{int(failed.sum())} have no verified plan ({statuses})")
    return text + (": " + "; ".join(notes) if notes else "")


def frontier_target_text(frontier: Frontier) -> str:
    """What sets the ROI-target point: the ROI target, or the channel caps when every channel
    reaches its cap with ROI still above the target."""
    t, target = frontier.target, frontier.min_roi
    if t is None:
        return "no ROI target given"
    if not t.feasible:
        return f"ROI target {target:g}: " + binding_text(t)
    caps = [b for b in t.binding if b.startswith(("max_spend[", "min_marginal_roi["))]
    if "min_roi" in t.binding:
        text = (f"ROI target {target:g}: the largest spend whose best split keeps ROI >= {target:g} is "
                f"{m(t.total_spend)} (GMV {m(t.total_gmv)}); past it the ROI falls below the target")
        if caps:
            text += f" (also at their caps: {', '.join(c[c.index('[') + 1:-1] for c in caps)})"
        return text
    return (f"ROI target {target:g} does not bind: every channel is at its cap ({m(t.total_spend)} in total) "
            f"with ROI {t.roi:.2f} above the target; the caps, not the ROI target, limit the spend")


def frontier_caption(frontier: Frontier) -> str:
    """Caption of the frontier figure: the levels, the target point, and how exact the points are."""
    parts = [frontier_levels_text(frontier)]
    if frontier.target is not None:
        parts.append(frontier_target_text(frontier))
    parts.append("each point is the best split of that budget on the point-fit curves, within the curve "
                 "approximation bound; the allocation's caption gives the fits' uncertainty")
    return ". ".join(parts) + "."
