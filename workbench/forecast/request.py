"""One forecast request, built and checked once at the edge (CLI, notebook, Python call) before
any reading or fitting, then passed whole through the core, the engines and the jobs.

Bounds live here with the allowed range in each message: the horizon (``MAX_HORIZON`` periods
per frequency, three years), the backtest lead (``MAX_LEAD`` days), the series key names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from numbers import Integral, Real

from workbench.data.validate import FREQUENCIES, check_key_names
from workbench.errors import ParameterError
from workbench.forecast.engines import Engine, check_engine_options
from workbench.forecast.models import AUTO, make_model, resolve_model
from workbench.forecast.models.base import DEFAULT_QUANTILES

# Longest horizon per frequency: three years ahead (planning looks one event, at most a year, out).
MAX_HORIZON = {"D": 3 * 366, "W": 3 * 53, "MS": 36, "QS": 12}
MAX_LEAD = 366  # days between the end of history and a backtested window (a year at most)
MAX_CONFORMAL_WINDOWS = 10  # rolling-origin refits per series for the core's conformal bands


def check_whole_number(value, name: str, low: int, high: int, unit: str = "") -> int:
    """``value`` as an int if it is a whole number in ``low..high`` (``unit`` names what it
    counts, for the message); else ``ParameterError`` naming ``name``, the value and the range."""
    if isinstance(value, bool) or not isinstance(value, Real) or (
            not isinstance(value, Integral) and not float(value).is_integer()):
        raise ParameterError(f"{name} must be a whole number{f' of {unit}' if unit else ''} from {low} "
                             f"to {high}; got {value!r}")
    number = int(value)
    if not low <= number <= high:
        raise ParameterError(f"{name} must be from {low} to {high}{f' {unit}' if unit else ''}; got {number}")
    return number


def check_horizon(horizon, freq: str = "D") -> int:
    """The horizon in periods of ``freq``: a whole number from 1 to ``MAX_HORIZON[freq]``."""
    return check_whole_number(horizon, "horizon", 1, MAX_HORIZON[check_freq(freq)], _UNITS[freq])


def check_lead(lead) -> int:
    """Days between the end of training history and a scored window: 1 to ``MAX_LEAD``.
    A lead of 0 or less would train on the window being scored."""
    return check_whole_number(lead, "lead", 1, MAX_LEAD, "days")


def check_freq(freq: str) -> str:
    if freq not in FREQUENCIES:
        raise ParameterError(f"freq: unknown frequency {freq!r}; use one of "
                             + ", ".join(f"{k} ({v})" for k, v in FREQUENCIES.items()))
    return freq


def check_keys(keys, *, date_col: str = "ds", target_col: str = "y") -> list[str]:
    """Series key column names: non-empty text, then ``data.validate.check_key_names`` (each
    once, none of them the date or target column). Raises ``ParameterError`` /
    ``DataValidationError`` naming the bad names."""
    keys = [keys] if isinstance(keys, str) else list(keys or [])
    bad = [k for k in keys if not isinstance(k, str) or not k]
    if bad:
        raise ParameterError(f"keys: column names must be non-empty text; got {bad}")
    return check_key_names(keys, date_col=date_col, target_col=target_col)


def check_quantiles(quantiles) -> tuple[float, ...]:
    """Quantile levels strictly between 0 and 1, sorted and without repeats (at least one)."""
    if isinstance(quantiles, (str, bytes)) or not hasattr(quantiles, "__iter__"):
        raise ParameterError(f"quantiles must be a list of levels like [0.1, 0.5, 0.9]; got {quantiles!r}")
    try:
        qs = tuple(float(q) for q in quantiles)
    except (TypeError, ValueError):
        raise ParameterError(f"quantiles must be numbers like 0.1, 0.5, 0.9; got {quantiles!r}") from None
    bad = [q for q in qs if not 0 < q < 1]
    if bad or not qs:
        raise ParameterError(f"quantiles must lie strictly between 0 and 1; got {bad or list(qs)}")
    return tuple(sorted(set(qs)))


_UNITS = {"D": "days", "W": "weeks", "MS": "months", "QS": "quarters"}


@dataclass(frozen=True)
class ForecastRequest:
    """What to forecast and how to run it, checked on construction (raises ``ParameterError``
    or ``ModelError`` naming the field, the value and the allowed values).

    Parameters
    ----------
    horizon : periods of ``freq`` to forecast, 1 to ``MAX_HORIZON[freq]``.
    model : a registry name or ``auto`` (the default choice for ``freq``, ``DEFAULT_MODEL``).
    quantiles : levels in (0, 1); stored sorted and unique.
    freq : the data's frequency, one of ``FREQUENCIES``.
    model_params : constructor parameters of the model (checked by making it once).
    engine : ``"local"``, ``"dask"`` or an ``Engine`` (kept open for the caller).
    n_jobs : workers of an engine made by name (default: all cores).
    dask_address : ``tcp://HOST:PORT`` of a running Dask scheduler (with ``engine="dask"``).
    partition_size : series per partition (per task and output file); default from the data.
    conformal_windows : rolling-origin refits per series with which the core calibrates the
        quantiles of a model that does not calibrate itself at ``freq``
        (``Capabilities.calibrated``), 0 to 10; 0 keeps the model's own quantiles. Each costs
        one more fit per series (docs/benchmarks.md).
    """

    horizon: int
    model: str = AUTO
    quantiles: tuple[float, ...] = DEFAULT_QUANTILES
    freq: str = "D"
    model_params: dict = field(default_factory=dict)
    engine: str | Engine = "local"
    n_jobs: int | None = None
    dask_address: str | None = None
    partition_size: int | None = None
    conformal_windows: int = 0

    def __post_init__(self):
        freq = check_freq(self.freq)
        set_ = object.__setattr__
        set_(self, "horizon", check_horizon(self.horizon, freq))
        set_(self, "quantiles", check_quantiles(self.quantiles))
        if not isinstance(self.model_params, dict):
            raise ParameterError(f"model_params must be a mapping of parameter names to values; "
                                 f"got {self.model_params!r}")
        set_(self, "model_params", dict(self.model_params))
        make_model(self.model, freq=freq, **self.model_params)  # unknown model or parameters
        if self.n_jobs is not None:
            set_(self, "n_jobs", check_whole_number(self.n_jobs, "n_jobs", 1, 4096, "workers"))
        if self.partition_size is not None:
            set_(self, "partition_size", check_whole_number(self.partition_size, "partition_size", 1,
                                                            10**9, "series"))
        set_(self, "conformal_windows", check_whole_number(self.conformal_windows, "conformal_windows", 0,
                                                           MAX_CONFORMAL_WINDOWS, "refits"))
        check_engine_options(self.engine, n_workers=self.n_jobs, address=self.dask_address)

    @property
    def model_name(self) -> str:
        """The registry name that runs: ``auto`` resolved for ``freq``."""
        return resolve_model(self.model, self.freq)

    def replace(self, **changes) -> "ForecastRequest":
        """A new request with ``changes``, checked again."""
        from dataclasses import replace

        return replace(self, **changes)


__all__ = ["MAX_HORIZON", "MAX_LEAD", "ForecastRequest", "check_horizon", "check_keys",
           "check_lead", "check_quantiles", "check_whole_number"]
