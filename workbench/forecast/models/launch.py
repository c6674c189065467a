"""Launch curves: how a launched series' level grows with its age, pooled over a panel's launches.

A SKU launched a few weeks or months before the cut-off is usually still ramping up; its recent
level is not where it will sell (a new user's launched SKUs were forecast 28-49% low at every
frequency, trial 4 F6). One series' ramp is too short and noisy to extrapolate, but a panel
holds other launches, some older: how their level grew from one age to the next says how a
young series' level will grow.

* **a launch** (``launch_of``, the one definition the curve and the models share): a series
  whose start (``launch_start``: its first sustained day, or the first period after its launch
  period) comes after the panel's first age bin, unless ``not_a_launch`` says it is none: a
  slow seller (intermittent), a series that stopped and sold again (an on/off season:
  ``paused``), or one back from an off run after a season around the same date a year before
  its start (a season restarted: ``yearly_season.season_restarted``);
* **age levels** (``age_levels``): from its start, a launch's
  log level in consecutive age bins of ``BIN_PERIODS`` periods (28 days, 2 weeks, a month or a
  quarter): the log of its sales in the bin divided by a reference's over the same periods.
  The reference is the sum of the established series of the level the launch borrows its
  prior from (its category: the core's ``panel_launch_curve``), else of the panel's (the core's
  pooled total): a share of it carries no season, market growth or common event lift, only the
  ramp (a summer mat's share of a winter-heavy shop falls from August: its season, read as a
  ramp's fall, trial 13; a panel without established series has no curve: its launches' age and
  the calendar are confounded);
* **the curve** (``launch_curve``): for each pair of consecutive bins, the median over the
  launches seen in both of the change of log level (a development factor, as the chain-ladder
  method estimates how insurance claims grow with their age: T. Mack, "Distribution-free
  calculation of the standard error of chain ladder reserve estimates", ASTIN Bulletin 23, 1993;
  the median, not the volume-weighted mean, so one large launch does not set it), where at
  least ``MIN_LAUNCHES`` launches give it. The series of one product by region are one launch
  (a cohort, ``_cohort_factors``: per pair of bins, the mean change of its regions seen in
  both): they share their ages' season and events, and six provinces of one product made the
  six "launches" of a bin. Each factor
  is kept by ``f^2 / (f^2 + se^2)``, ``se`` its standard error (the empirical Wiener rule,
  ``conformal.wiener_factor``): a ramp's large early factors stay whole, the noise of a
  plateau's goes. Their cumulative sum is the curve up to the oldest age ``MIN_LAUNCHES`` launches reach;
* **its tail** (``_tail_factors``): past that age a panel whose launches are all still ramping
  has no direct evidence, and holding the level there left its launches 11-45% low (trials 4
  and 5). The factors decay as a ramp saturates, so a geometric decay ``f_b = A r^b`` (the
  exponential decay actuaries fit to development factors to extend them into a tail factor;
  R. E. Sherman, "Extrapolating, smoothing and interpolating development factors", PCAS 71,
  1984, compares it with an inverse power curve) is
  fitted by weighted least squares on the factors of the older half of the measured ages and
  all after them (never the first, which holds the launch's start; a ramp's early factors
  decay faster than its tail's), each weighted by the launches behind it, the older ones seen
  by only one or two launches included: they are the only evidence of the older ages. The fitted factors
  extend the curve from its last measured bin to the age of a year (``YEAR_BACK``), flat
  after it (the issue's rule: a series younger than a year borrows its growth from the level
  above it); without two such factors, or with factors
  that do not decay (``r`` of 1 or more: no saturation in sight), the curve is held flat past
  its evidence as before. The growth read off the tail is uncertain by its own size
  (``LaunchCurve.growth_spread``): whether a ramp goes on past the evidence is unknown, and
  the models widen their bands by it;
* **the ceiling** (``LaunchCurve.ceiling``): the tail never ramps a launch above the level the
  panel's largest established series sells at (its mean per period over the last year: a
  level its peers reach); the measured curve may (a launch can outsell every peer, and capping
  the measured ramp there left one of a seeded panel's launches 33% low). The models pass
  their current level to ``growth``;
* **the plateau** is the first bin within ``PLATEAU_GAIN`` of the highest level of the curve
  (measured and extrapolated): where the ramp first reaches its top;
* **growth** (``LaunchCurve.growth``): a series whose level was measured at age ``a0`` is
  forecast at that level times ``exp(C(a) - C(a0))`` at age ``a``, ``C`` interpolated between
  the bins' centres (bins of 28 days, 2 weeks, a month or a quarter: weekly bins of 4 left a
  young weekly series' first weeks, the steepest of its ramp, off the curve);
* **a slow start** (``pre_launch_rise``): a launch dated past a trickle (its start is its level's,
  ``regime.after_trickle``, or its first sustained stretch after scattered sales,
  ``regime.volume_start``) made its ramp before that start when the trickle lasted
  ``SLOW_START`` periods or more (28 days, 4 weeks, 2 months or quarters), sold in a quarter of
  them and averaged under ``regime.TRICKLE_SHARE`` (5%) of its first bin's level: the rise from
  the trickle to that level. The curve is a launch's rise from where it began selling, so that
  rise is counted against it: ``C`` is read as ``C - clip(C, 0, made)`` (``growth(made=...)``),
  and such a launch (a rise of x20 or more) grows no further (trial 17 F1: a gift box at its
  level six weeks after its first sales was ramped x2.06 again, 年货节 2027 677 against 482, 618
  128 against 32). Shorter, sparser or higher sales before a start (a ramp's sparse first weeks,
  a partial launch week, stray test orders) are no slow start: the curve's launches, dated by
  the same rule, have them too. A launch that sold nothing before its start is unchanged. Every
  model that climbs the curve (``event_profile``, ``recent_level`` and the history
  ``event_profile`` hands it, ``ets``) reads the same rise.

With fewer than ``MIN_LAUNCHES`` launches in the panel there is no curve (``usable`` is False)
and the models keep their level, with a note.

* **a grouping's curve** (``grouping_curve``): a launch of a category with ``MIN_LAUNCHES``
  launches or more climbs the category's own curve (the core's ``grouping_launch_curves``),
  launches that stopped counted up to their last sale, each factor shrunk toward the panel's by
  its noise, the panel's factors past the category's evidence: lipstick shades that rise in
  days and fall until they stop were grown x2 along the skincare launches' ramp (trial 14 F3);
* **a short-life line** (``LaunchCurve.short_life``): a grouping half of whose launches stopped
  within ``SHORT_LIFE`` of a year; its launches' forecast is times the chance they still sell
  (``LaunchCurve.survival``, Kaplan-Meier over the grouping's launches' lives; the core's
  ``short_life``), not carried through the next year (trial 14 F7).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from workbench.calendar.years import YEAR_BACK
from workbench.data.validate import PERIOD_LENGTH, PERIOD_WORDS
from workbench.forecast.conformal import wiener_factor
from workbench.forecast.models.intermittent import is_intermittent
from workbench.forecast.models.regime import STOP_PERIODS, TRICKLE_SHARE, after_trickle, volume_start
from workbench.forecast.models.yearly_season import season_restarted

BIN_PERIODS = {"D": 28, "W": 2, "MS": 1, "QS": 1}  # periods in an age bin
MIN_LAUNCHES = 3  # launches a measured factor (and the curve) needs
# a year in periods: the tail extends the curve up to this age, and an established series' mean
# over its last year is the level its peers reach (the ceiling)
TAIL_RATIOS = np.linspace(0.01, 0.99, 99)  # decay ratios r of the tail's fit, searched on a grid
PLATEAU_GAIN = float(np.log(1.05))  # less further change than this: the curve has levelled off
SHORT_LIFE = 0.5  # of a year: a grouping half of whose launches stopped within it is a short-life line
# a slow start (``pre_launch_rise``): sales before a launch's start over at least this many periods (regime's
# 28-day trickle; of weeks, months and quarters two or more, one being a partial launch period), sold in at
# least SLOW_START_SHARE of them and under regime.TRICKLE_SHARE of the level after: shorter, sparser or higher
# sales before a start are a ramp's first days or stray test orders, which the curve's launches have too
SLOW_START = {"D": 28, "W": 4, "MS": 2, "QS": 2}
SLOW_START_SHARE = 0.25


@dataclass(frozen=True)
class LaunchCurve:
    """The panel's pooled launch curve at one frequency (what the core gives a model).

    ``freq``: D, W, MS or QS; ``panel_start``: the panel's first date (a series whose history
    starts later was launched at its start); ``launches``: launches in the panel whose age
    levels were measured, the series of one product (by region) counting once (a cohort);
    ``log_level``: shape (bins,), the curve's log level in each age bin relative to the first
    (bin ``b`` holds ages ``b * BIN_PERIODS[freq]`` to the next, in periods since the start),
    measured up to bin ``measured - 1`` and extrapolated by the tail after it; ``counts``:
    shape (bins - 1,), launches behind each factor (0 for the tail's); ``established``: the
    panel has established series to measure shares against; ``ceiling``: log of the largest
    established series' mean units per period over its last year (None: unknown), a level no
    launch is ramped above; ``left_out``: ``(reason, series)`` pairs, the launched series the
    curve does not hold and why (the core's ``panel_launch_curve``); ``grouping``: the product
    grouping whose own launches measured it (``"category=彩妆"``: ``grouping_curve``; None: the
    panel's); ``lives``: ``(age, stopped)`` pairs, periods from each of those launches' start to
    its last sale and whether it stopped there (else it still sells: censored), read by
    ``survival`` (empty for the panel's curve).
    """

    freq: str
    panel_start: pd.Timestamp
    launches: int
    log_level: np.ndarray
    counts: np.ndarray
    established: bool = True
    ceiling: float | None = None
    left_out: tuple = ()
    grouping: str | None = None
    lives: tuple = ()
    # shape (launches, bins): each launch's (cohort's) log level by age bin relative to its first, NaN
    # where it was not seen: how far one launch's level moved from another's between two ages
    # (``level_spread``)
    launch_levels: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))

    @property
    def usable(self) -> bool:
        """Enough launches for a curve (``MIN_LAUNCHES``), at least one factor, and established
        series to measure their shares against (without them a launch's age and the calendar
        cannot be told apart: launches of one date ramp and follow the season alike)."""
        return self.established and self.launches >= MIN_LAUNCHES and len(self.log_level) > 1

    @property
    def whose(self) -> str:
        """Whose launches measured it, for a note: "its category=彩妆's" or "the panel's"."""
        return f"its {self.grouping}'s" if self.grouping else "the panel's"

    @property
    def short_life(self) -> bool:
        """A short-life line: half of its grouping's launches stop within ``SHORT_LIFE`` of a year
        (the Kaplan-Meier survival of ``lives`` falls to 0.5 before it): a lipstick shade that
        sells 8-16 weeks, then the next shade. A launch of it is forecast times its chance of still
        selling (``survival``), not as if it went on for a year (trial 14 F7: five shades grown
        along the skincare launches' ramp and carried through 2027)."""
        return self.median_life is not None and self.median_life < SHORT_LIFE * YEAR_BACK[self.freq]

    @property
    def median_life(self) -> float | None:
        """Age (periods) by which half of the grouping's launches stopped (Kaplan-Meier), None
        when fewer than half of them did by their oldest age seen."""
        ages, alive = self._survival_steps()
        below = np.flatnonzero(alive <= 0.5)
        return float(ages[below[0]]) if len(below) else None

    def survival(self, age_now: float, ages) -> np.ndarray:
        """The chance that a launch of the grouping that still sells at age ``age_now`` (periods
        since its start) still sells at each of ``ages`` (shape (k,)): ``S(age) / S(age_now)``,
        ``S`` the Kaplan-Meier estimate of its launches' lives (``lives``; E. L. Kaplan & P. Meier,
        "Nonparametric estimation from incomplete observations", JASA 53, 1958: a launch still
        selling counts until its last age seen); 1 at ages up to ``age_now``, and past the oldest
        life seen the last value (0 when the oldest stopped). Ones without ``lives``."""
        ages = np.asarray(ages, float)
        if not self.lives:
            return np.ones(ages.shape)
        steps, alive = self._survival_steps()

        def s(a):
            return np.r_[1.0, alive][np.searchsorted(steps, a, side="right")]

        now = s(float(age_now))
        return np.where(ages <= age_now, 1.0, s(ages) / now if now > 0 else 0.0)

    def _survival_steps(self) -> tuple[np.ndarray, np.ndarray]:
        """The Kaplan-Meier steps of ``lives``: the ages at which a launch stopped (sorted) and the
        survival just after each."""
        if not self.lives:
            return np.zeros(0), np.zeros(0)
        age = np.array([a for a, _ in self.lives], float)
        stopped = np.array([bool(st) for _, st in self.lives])
        steps = np.unique(age[stopped])
        at_risk = np.array([(age >= t).sum() for t in steps], float)
        ended = np.array([((age == t) & stopped).sum() for t in steps], float)
        return steps, np.cumprod(1.0 - ended / np.maximum(at_risk, 1.0))

    @property
    def bin_periods(self) -> int:
        return BIN_PERIODS[self.freq]

    @property
    def measured(self) -> int:
        """Bins of the curve measured on ``MIN_LAUNCHES`` launches or more (the rest is its tail)."""
        return 1 + int(np.sum(self.counts >= MIN_LAUNCHES))

    @property
    def evidence_age(self) -> float:
        """Age (periods) of the centre of the last measured bin: past it the curve is extrapolated."""
        return float(self._centres()[self.measured - 1])

    @property
    def plateau(self) -> int:
        """Age (periods) of the centre of the first bin that comes within ``PLATEAU_GAIN`` of the
        highest level of the curve (measured and extrapolated): where the ramp first reaches
        its top. A dip after that and its recovery is no ramp (the median launch's share falls
        in a season its peers sell more in, or by noise); read as one, the 'ramp' of trial 8's
        curve (not rerunnable), at the top by 42 days, ran to a dip at 294 days or a bump at 602, and kept every
        launch of the year before on the young path, its own growth unmeasured."""
        top = float(self.log_level.max())
        first = int(np.argmax(self.log_level >= top - PLATEAU_GAIN))
        return int(round(self._centres()[first]))

    def start_of(self, y: np.ndarray, ds: pd.DatetimeIndex) -> int | None:
        """``launch_of`` the series ``y`` (dates ``ds``) in this curve's panel: the start of a
        launch, None for a series that is none (the curve's own rule)."""
        return launch_of(y, ds, self.freq, self.panel_start)

    def growth(self, age_now: float, ages, level: float | None = None, made: float = 0.0) -> np.ndarray:
        """Log factor of the level from age ``age_now`` to each of ``ages`` (periods since the
        series' start; shape (k,)): ``C(age) - C(age_now)``, ``C`` the curve interpolated
        linearly between the bins' centres, flat past the last one and continued along its
        first segment before the first (the youngest ages of a ramp, where it is steepest).
        With ``level`` (the series' current log level, log units per period) and a known
        ``ceiling``, the growth read off the tail (past ``evidence_age``) never takes the level
        above the ceiling (a launch may outgrow its peers along the measured curve, not along its
        extrapolation). ``made``: the log rise the series made before its start
        (``pre_launch_rise``: a slow start's trickle up to its level), counted against the curve's
        rise above its first bin, ``C`` read as ``C - clip(C, 0, made)``: the curve is a launch's
        rise from where it began selling, and a series whose start was dated past a trickle has
        made that much of it already (trial 17 F1: a gift box at its level after six weeks of
        trickle was ramped x2.06 again). 0 (the default) leaves the curve as it is. Zeros when not
        ``usable``."""
        ages = np.asarray(ages, float)
        if not self.usable:
            return np.zeros(ages.shape)
        within, beyond = self._split(float(age_now), ages, made)
        if level is not None and self.ceiling is not None:
            beyond = np.minimum(beyond, np.maximum(self.ceiling - float(level) - within, 0.0))
        return within + beyond

    def growth_spread(self, age_now: float, ages, level: float | None = None, made: float = 0.0) -> np.ndarray:
        """Standard deviation (log) of ``growth`` from ``age_now`` to each of ``ages``: the part of
        the growth read off the tail, past the oldest age ``MIN_LAUNCHES`` launches reach
        (``evidence_age``), is uncertain by its own size (whether a ramp goes on past the
        evidence is unknown); zeros within the evidence (the model's refits measure it) and when
        not ``usable``. Shape (k,); ``level`` and ``made`` as in ``growth``."""
        ages = np.asarray(ages, float)
        if not self.usable:
            return np.zeros(ages.shape)
        within, _ = self._split(float(age_now), ages, made)
        return np.abs(self.growth(age_now, ages, level, made) - within)

    def level_spread(self, age_now: float, age: float) -> float:
        """Standard deviation (log) of one launch's level at age ``age`` around the level the
        curve carries it to from ``age_now`` (periods since its start): the variance between the
        panel's launches of their change of log level from the age bin holding ``age_now`` to
        the one holding ``age`` (``launch_levels``; of the farthest bin two launches or more were
        seen at with it, stretched to ``age`` as a random walk's, in proportion to the periods),
        up to the age of a year (``YEAR_BACK``: older, a series' refits measure its own level's
        error). Measured over the whole span, not summed bin by bin as Mack's chain-ladder
        process variance is (T. Mack, ASTIN Bulletin 23, 1993), which takes the changes as
        independent: a fast ramp's large early change and a slow one's later change offset each
        other. An age past every launch's measured pairs takes the last pair of bins two
        launches give. 0 without two launches seen at two ages, at any ``usable``."""
        levels, bins = np.asarray(self.launch_levels, float), BIN_PERIODS[self.freq]
        end = min(float(age), float(YEAR_BACK[self.freq]))
        if levels.ndim != 2 or levels.shape[1] < 2 or end <= age_now:
            return 0.0
        seen = np.isfinite(levels)
        pairs = (seen[:, :, None] & seen[:, None, :]).sum(axis=0)  # launches seen at both bins i and j
        last = levels.shape[1] - 1
        start = min(int(max(age_now, 0.0) // bins), last)
        reach = [j for j in range(start + 1, last + 1) if pairs[start, j] >= 2]
        if not reach:  # no two launches followed from this age: the last pair of bins two of them give
            both = [(i, i + 1) for i in range(last) if pairs[i, i + 1] >= 2]
            if not both:
                return 0.0
            start, reach = both[-1][0], [both[-1][1]]
        target = min(int(end // bins), last)
        j = max([k for k in reach if k <= target] or [reach[0]])
        change = levels[:, j] - levels[:, start]
        var = float(np.nanvar(change, ddof=1))
        return float(np.sqrt(var * (end - age_now) / ((j - start) * bins)))

    def _split(self, age_now: float, ages: np.ndarray, made: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
        """The growth from ``age_now`` to ``ages`` within the curve's evidence (up to
        ``evidence_age``) and the rest, read off its tail (``made`` as in ``growth``)."""
        edge = max(age_now, self.evidence_age)
        within = self._at(np.minimum(ages, edge), made) - self._at(age_now, made)
        return within, self._at(np.maximum(ages, edge), made) - self._at(edge, made)

    def describe(self) -> str:
        """The curve in words for a note: launches, ages and factors, and the series left out."""
        words = PERIOD_WORDS[self.freq]
        if not self.established:
            return ("no established series in the panel (every series started within the data) to measure the "
                    "launches' shares against")
        if not self.usable:
            return (f"{self.launches} launched series in the panel, under the {MIN_LAUNCHES} a pooled launch "
                    f"curve needs{self._left_out_words()}")
        centres, last = self._centres(), len(self.log_level) - 1
        shown = sorted({int(round(k)) for k in np.linspace(0, last, min(6, last + 1))})
        steps = ", ".join(f"{centres[k]:g}: x{np.exp(self.log_level[k]):.2f}" for k in shown)
        tail = (f"measured to {self.evidence_age:g} {words} and extrapolated by the decay of its factors to "
                f"{centres[-1]:g}" if self.measured < len(self.log_level) else f"measured to {centres[-1]:g} {words}")
        return (f"the launch curve pooled from {self.whose}{' own' if self.grouping else ''} {self.launches} launches (a product's series by region "
                f"count once; level by age in {words} "
                f"against its first {self.bin_periods} {words}: {steps}; {tail}; it rises until about "
                f"{self.plateau} {words} and is held past {centres[-1]:g}{self._left_out_words()})")

    def made_words(self, made: float) -> str:
        """For a note: the rise ``made`` (log) a launch made before its start (``pre_launch_rise``),
        which its growth along the curve counts against; "" when it made none."""
        if made <= 0:
            return ""
        left = max(float(self.log_level.max() - self.log_level[0]) - made, 0.0)
        return (f"; it rose x{np.exp(made):.1f} from its first sales to its level before the start the curve "
                f"dates it from (a slow start's trickle is the ramp's first part), so the curve's rise above its "
                f"first bin (x{np.exp(self.log_level.max() - self.log_level[0]):.2f}) leaves x{np.exp(left):.2f}")

    def _left_out_words(self) -> str:
        total = sum(n for _, n in self.left_out)
        if not total:
            return ""
        return f"; {total} series left out: " + ", ".join(f"{n} {reason}" for reason, n in self.left_out)

    def _at(self, ages, made: float = 0.0) -> np.ndarray:
        centres, level = self._centres(), self.log_level
        first_slope = (level[1] - level[0]) / (centres[1] - centres[0])
        a = np.asarray(ages, float)
        at = np.interp(a, centres, level) + np.minimum(a - centres[0], 0.0) * first_slope
        # the rise already made before the start is the first ``made`` of the curve's rise above its first bin
        return at - np.clip(at - level[0], 0.0, max(float(made), 0.0))

    def _centres(self) -> np.ndarray:
        return self.bin_periods * (np.arange(len(self.log_level)) + 0.5) - 0.5


def launch_start(y: np.ndarray, ds: pd.DatetimeIndex, freq: str, panel_start) -> int | None:
    """Index of age 0 of a series launched after ``panel_start`` (the panel's first date): its
    first sustained day (``regime.series_start``: after a pre-launch trickle of test volume), or
    for weekly, monthly or quarterly data the period after the first period of its level
    (``regime.series_start``; a launch period is partial by a share nothing
    says, and ``regime.nondaily_start`` can only tell with three periods after it: a 3-month-old
    SKU launched on the 8th had its partial month averaged in, 216 a month against 560); None
    for a series that started with the panel (its first sale within the panel's first age bin,
    when no pre-launch trickle was skipped:
    a slow seller's first sale a few days in, or a day table that starts at each series' first
    sale, is no launch), never sold, or has no period after its launch period. ``y``: units
    per period, shape (n,); ``ds``: its dates."""
    y = np.asarray(y, float)
    if not (y > 0).any():
        return None
    first_bin_end = pd.Timestamp(panel_start) + BIN_PERIODS[freq] * PERIOD_LENGTH[freq]
    volume = volume_start(y, freq)
    first = after_trickle(y, volume, freq)  # series_start, without finding the volume's start twice
    # after a pre-launch trickle (``regime.after_trickle``) the launch is the level's start, wherever the
    # trickle began; otherwise the first sale says whether the series started with the panel
    began = int(np.argmax(y > 0)) if first == volume else first
    if ds[began] < first_bin_end:
        return None
    start = first if freq == "D" else first + 1
    return start if start < len(y) else None


def launch_of(y: np.ndarray, ds: pd.DatetimeIndex, freq: str, panel_start) -> int | None:
    """Index of age 0 of the series ``y`` (units per period, shape (n,); dates ``ds``) if it is a
    launch, else None: the one definition of a launch, which the pooled curve measures (the
    core's ``panel_launch_curve``) and the models ramp and route (``LaunchCurve.start_of``,
    ``event_profile``). A launch starts after ``panel_start`` (``launch_start``) and is not one
    of ``not_a_launch``'s (a slow seller, an on/off season, a season restarted a year on)."""
    start = launch_start(y, ds, freq, panel_start)
    return start if start is not None and not_a_launch(y, start, freq) is None else None


def pre_launch_rise(y: np.ndarray, start: int, freq: str) -> float:
    """The log rise a launch made before its start: from its mean units per period since its first
    sale up to its start (a pre-launch trickle that ``regime.after_trickle`` skipped, or scattered
    sales before its first sustained stretch that ``regime.volume_start`` skipped) to its mean over
    its first age bin (``BIN_PERIODS``, or as much of it as the history holds). A slow start is the
    launch's ramp, not a time before it: the curve is a launch's rise from where it began selling,
    and ``LaunchCurve.growth`` counts this rise against it (trial 17 F1). 0 for a series that sold
    nothing before its start, and never below 0.

    Parameters
    ----------
    y : array (n,), units per period (>= 0).
    start : index of the launch's age 0 (``launch_of``); of weekly, monthly or quarterly data the
        period after its level's first (``launch_start``: a partial launch period), which is
        neither trickle nor level.
    freq : ``"D"``, ``"W"``, ``"MS"`` or ``"QS"``.

    Returns
    -------
    The rise, log units (``log(level / trickle)``, over ``log(1 / regime.TRICKLE_SHARE)``: a slow
    start's step is larger than any ramp of the curve, and it grows no further); 0 when the sales
    before the start span fewer than ``SLOW_START[freq]`` periods, sold in under
    ``SLOW_START_SHARE`` of them, or average ``regime.TRICKLE_SHARE`` of the level or more (a ramp's
    first days, the partial launch week a linear ramp's first unit fell in, its sparse first weeks,
    stray test orders: the panel's launches, dated by the same rule, have them too, and their curve
    holds them).
    """
    y = np.asarray(y, float)
    level_start = start if freq == "D" else start - 1  # the partial launch period is no trickle
    sold = np.flatnonzero(y[:level_start] > 0)
    level = y[start:start + BIN_PERIODS[freq]]
    if not len(sold) or not len(level) or level.mean() <= 0:
        return 0.0
    trickle = y[sold[0]:level_start]
    # a linear ramp's first partial week (one unit), its sparse first weeks (a third of the level that
    # follows) and a test order a month before are no slow start
    if len(trickle) < SLOW_START[freq] or (trickle > 0).mean() < SLOW_START_SHARE \
            or trickle.mean() >= TRICKLE_SHARE * level.mean():
        return 0.0
    return float(np.log(level.mean() / trickle.mean()))


def not_a_launch(y: np.ndarray, start: int, freq: str) -> str | None:
    """Why the series ``y`` (units per period, >= 0, shape (n,)), started at index ``start``
    (``launch_start``), is no launch, or None when it is one:

    * "intermittent": its periods since the start are intermittent
      (``intermittent.is_intermittent``, judged on the last ``intermittent.INTERMITTENT_WINDOW`` of them: a
      launch that faded to a sale every few days is left out of the curve too, which is then
      measured on the launches that kept selling): a slow seller's first sale a few weeks into the panel
      is no launch (trial 8's slow sellers, 'launched' in the panel's second month, were the
      only launches two years old and set the curve's tail);
    * "paused": it stopped and sold again since the start (``paused``: an on/off season);
    * "a season seen a year before": it came back from an off run after a season around the
      same date a year before (``yearly_season.season_restarted``, the one home of a yearly
      season): a fruit's season that began again, its earlier season too short or too thin for
      a start of its own, is no launch either; stray units a year before a launch are no season."""
    y = np.asarray(y, float)
    if is_intermittent(y[start:], freq):
        return "intermittent"
    if paused(y[start:], freq):
        return "paused"
    if season_restarted(y, start, freq):
        return "a season seen a year before"
    return None


def paused(y: np.ndarray, freq: str) -> bool:
    """Did the series ``y`` (units per period from its start, >= 0, shape (n,)) stop and sell
    again: is there a run of ``regime.STOP_PERIODS[freq]`` zero periods or more inside it, between
    two sales (the run that ``regime.stopped_since`` calls a stop, had the series ended there)?
    An on/off season (a fruit sold from December to February, crabs from September) or a
    relaunch: its first start is a season's, and its age levels across the pause measure the
    season, not a launch's ramp (trial 10, not rerunnable: a curve pooled from fruit and crab
    seasons fell steeply by 100 days, and a nut box launched in October was forecast far low
    for the New Year sale)."""
    sold = np.flatnonzero(np.asarray(y, float) > 0)
    return bool((np.diff(sold) - 1 >= STOP_PERIODS[freq]).any())


def age_levels(y: np.ndarray, start: int, bin_periods: int, reference: np.ndarray | None = None) -> np.ndarray:
    """Log level of the series ``y`` (units per period, >= 0, shape (n,)) in each complete age
    bin of ``bin_periods`` periods from index ``start`` (its launch): the log of its sum over the
    bin over ``reference``'s sum over the same periods (``reference``: shape (n,), the panel's
    established total on the same dates; default ones). Event days stay in: the reference's
    lift cancels the series' (event spans cover half of a daily year, and a bin without them
    would break the chain of factors). NaN for a bin without sales (or reference).
    Returns shape (bins,)."""
    y = np.asarray(y, float)[start:]
    ref = np.ones(len(y)) if reference is None else np.asarray(reference, float)[start:]
    bins = len(y) // bin_periods
    sold = y[:bins * bin_periods].reshape(bins, bin_periods).sum(axis=1)
    base = ref[:bins * bin_periods].reshape(bins, bin_periods).sum(axis=1)
    ok = (sold > 0) & (base > 0)
    return np.log(np.where(ok, sold, 1.0) / np.where(ok, base, 1.0)) + np.where(ok, 0.0, np.nan)


def launch_curve(levels: list[np.ndarray], freq: str, panel_start, established: bool = True,
                 ceiling: float | None = None, cohorts=None, left_out: tuple = (), toward=None) -> LaunchCurve:
    """The pooled curve (see the module docstring) from the launches' ``age_levels`` (one array
    per launched series, log levels by age bin at ``freq``, as shares of the established
    series' sum when ``established``): the measured factors, then the tail (``_tail_factors``).
    ``panel_start``: the panel's first date; ``ceiling``: ``LaunchCurve.ceiling``; ``cohorts``:
    one label per launch (its product: the core's ``launch_products``; default: each launch its
    own), the launches of one label being one launch (``_cohort_factors``); ``left_out``:
    ``LaunchCurve.left_out``; ``toward``: factors (log level changes per pair of bins, shape
    (m,)) each measured factor is shrunk toward by its noise instead of toward 0 (a grouping's
    curve toward the panel's: ``grouping_curve``; past ``m`` toward 0). Never raises: with
    fewer than ``MIN_LAUNCHES`` launches (cohorts), or without established series, the curve
    is not ``usable``."""
    changes = _cohort_factors(levels, cohorts)
    medians, counts = [], []
    longest = max((len(c) for c in changes), default=0)
    for b in range(longest):
        d = np.array([c[b] for c in changes if len(c) > b])
        d = d[~np.isnan(d)]
        if not len(d):
            break
        medians.append(float(np.median(d)))
        counts.append(len(d))
        if len(d) >= MIN_LAUNCHES:
            t = float(toward[b]) if toward is not None and b < len(toward) else 0.0
            f = medians[-1] - t
            se2 = 1.2533 ** 2 * d.var(ddof=1) / len(d)  # the variance of a median of n: (pi / 2) var / n
            medians[-1] = t + f * wiener_factor(f, se2)
    counts = np.array(counts, int)
    measured = int(np.argmin(counts >= MIN_LAUNCHES)) if (counts < MIN_LAUNCHES).any() else len(counts)
    factors = np.array(medians[:measured])
    year_bins = YEAR_BACK[freq] // BIN_PERIODS[freq]
    tail = _tail_factors(np.array(medians), counts, measured, year_bins) if measured else np.zeros(0)
    log_level = np.concatenate([[0.0], np.cumsum(np.r_[factors, tail])])
    counts = np.r_[counts[:measured], np.zeros(len(tail), int)]
    return LaunchCurve(freq, pd.Timestamp(panel_start), len(changes), log_level, counts, established, ceiling,
                       tuple(left_out), launch_levels=_launch_levels(changes))


def grouping_curve(levels: list[np.ndarray], cohorts, panel: LaunchCurve, grouping: str, lives) -> LaunchCurve:
    """The launch curve of a product grouping (its category) from its own launches' ``age_levels``
    (``levels``, one array per launched series, ``cohorts`` their products, as ``launch_curve``
    takes them; a launch that stopped measured up to its last sale), each factor shrunk toward
    ``panel``'s (the panel's curve, whose ceiling and reference it shares) by its noise: a
    category's launches ramp as its own kind does (trial 14 F3: lipstick shades that rise and fall
    within weeks were grown x2 along the skincare launches' ramp). ``grouping`` names it
    (``LaunchCurve.grouping``); ``lives``: ``(age, stopped)`` of each of its launches
    (``LaunchCurve.lives``, for ``survival``). Past the ages ``MIN_LAUNCHES`` of its launches
    reach it continues along ``panel``'s factors (measured and tail), the evidence of the level
    above (its own tail, fitted on a few launches' factors, had cut the skincare launches' growth
    past their ramp); a panel curve that is not usable leaves its own tail."""
    toward = np.diff(panel.log_level) if panel.usable else None
    curve = launch_curve(levels, panel.freq, panel.panel_start, panel.established, panel.ceiling, cohorts,
                         toward=toward)
    if toward is not None and curve.measured > 1:
        own = curve.measured - 1  # its measured factors
        factors = np.r_[np.diff(curve.log_level)[:own], toward[own:]]
        counts = np.r_[curve.counts[:own], panel.counts[own:]]
        curve = replace(curve, log_level=np.r_[0.0, np.cumsum(factors)], counts=counts.astype(int))
    if (np.isfinite(curve.launch_levels).sum(axis=0) < 2).all():  # too few of its own launches for a spread
        curve = replace(curve, launch_levels=panel.launch_levels)
    return replace(curve, grouping=grouping, lives=tuple(lives))


def _launch_levels(changes: list[np.ndarray]) -> np.ndarray:
    """The launches' log levels by age bin relative to their first (``LaunchCurve.launch_levels``)
    from their changes (``_cohort_factors``), shape (launches, bins); NaN from a bin not seen on."""
    out = np.full((len(changes), 1 + max((len(c) for c in changes), default=0)), np.nan)
    for row, c in zip(out, changes):
        row[:len(c) + 1] = np.r_[0.0, np.cumsum(c)]
    return out


def _cohort_factors(levels: list[np.ndarray], cohorts) -> list[np.ndarray]:
    """One array of log level changes per cohort (``cohorts``: a label per array of ``levels``,
    log levels by age bin; None: each its own launch): for each pair of consecutive bins, the
    mean of ``lv[b + 1] - lv[b]`` over its launches seen in both (NaN where none is), shape
    (longest - 1,). A cohort is one piece of evidence of the curve, whatever its number of
    series: counted per series, one product in six provinces made six of the three launches an
    age bin needs, and its own season and calendar made the curve (trial 8, not rerunnable: a
    'plateau' at 602 days from two products, every 2025 launch forecast far low for 618 2027).
    Changes, not levels, are averaged: its regions differ in size and in age (a small
    province's sales start later, a rollout is staggered), so a mean of levels jumps wherever
    one region's history ends or a bin is empty, and the curve read that jump as growth."""
    if cohorts is None:
        return [np.diff(np.asarray(lv, float)) for lv in levels]
    groups: dict = {}
    for lv, label in zip(levels, cohorts):
        groups.setdefault(label, []).append(np.asarray(lv, float))
    out = []
    for label in sorted(groups, key=str):
        members = groups[label]
        stack = np.full((len(members), max(len(lv) for lv in members)), np.nan)
        for i, lv in enumerate(members):
            stack[i, :len(lv)] = lv
        change = np.diff(stack, axis=1)  # NaN unless the member is seen in both bins
        seen = (~np.isnan(change)).sum(axis=0)
        out.append(np.where(seen > 0, np.nansum(change, axis=0) / np.maximum(seen, 1), np.nan))
    return out


def _tail_factors(factors: np.ndarray, counts: np.ndarray, measured: int, year_bins: int) -> np.ndarray:
    """The curve's factors past its ``measured`` ones, up to bin ``year_bins`` (a year): the
    geometric decay ``A r^b`` fitted by least squares, weighted by ``counts``, on the factors
    (medians of log level changes, shape (m,), ``counts`` launches behind each) of the older
    half of the ``measured`` ones (never the first) and all after them, the ones of fewer than
    ``MIN_LAUNCHES`` launches included (the only evidence of older ages): a ramp's early factors
    decay faster than its tail's (a fit from the second factor on put the tail of a noise-free
    saturating ramp at 0.16 log points for 0.24); the last bin is the one before ``year_bins``; ``r`` on the grid ``TAIL_RATIOS``, ``A`` in closed form. Empty with fewer than two
    factors to fit, no decay (the best ``r`` at the grid's top: no saturation in sight) or no
    rise (``A <= 0``)."""
    first = max(1, measured // 2) if len(factors) - max(1, measured // 2) >= 2 else 1
    b = np.arange(first, len(factors))
    f, w = factors[first:], counts[first:].astype(float)
    if len(b) < 2 or measured >= year_bins - 1:
        return np.zeros(0)
    powers = TAIL_RATIOS[:, None] ** b[None, :]  # (ratios, factors)
    amplitude = (powers * w * f).sum(axis=1) / (powers ** 2 * w).sum(axis=1)
    sse = (w * (f - amplitude[:, None] * powers) ** 2).sum(axis=1)
    best = int(np.argmin(sse))
    if best == len(TAIL_RATIOS) - 1 or amplitude[best] <= 0:
        return np.zeros(0)
    return amplitude[best] * TAIL_RATIOS[best] ** np.arange(measured, year_bins - 1)
