"""Coherent forecasts across levels: the bottom series add up to the forecast of their total.

Forecasting every series of a hierarchy on its own gives levels that do not add up, and on sparse
panels (young, intermittent flows) the summed bottom forecasts can miss the directly forecast
total by a factor (each small series' noise, launches and stops, does not average out the way
the total's does). Two methods, both on the core's forecast frames:

* ``"forecast_proportions"`` (top-down by forecast proportions; Athanasopoulos, Ahmed & Hyndman
  2009, *Int. J. Forecasting* 25(1)): each period, the direct forecast of the total is split
  among the bottom series in proportion to their own forecasts. The total keeps its (better)
  direct forecast; the bottom keeps its own shape. The choice for sparse bottoms.
* ``"bottom_up"``: the total is the sum of the bottom forecasts (no change at the bottom); the
  choice when the bottom series are mature and their sum is as good as the direct total.

Any middle level (region, category) is then the sum of the reconciled bottom, so every level
is coherent. Quantiles are scaled by the same per-period factor as the mean (a proportional
split of each quantile of the total); quantiles of a sum are not sums of quantiles, so the
bottom bands stay the series' own bands, rescaled.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.errors import ParameterError

METHODS = ("forecast_proportions", "bottom_up")


def _value_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c == "yhat" or c.startswith("yhat_q") or c == "yhat_baseline"]


def reconcile(bottom: pd.DataFrame, total: pd.DataFrame | None = None, *, keys,
              method: str = "forecast_proportions") -> pd.DataFrame:
    """Bottom forecasts made coherent with the forecast of their total.

    Parameters
    ----------
    bottom : the core's forecast frame of the bottom series, ``[keys..., ds, yhat, yhat_q..]``
        (units per period).
    total : the core's forecast of the sum of all bottom series, ``[ds, yhat, yhat_q..]``, over
        the same dates; needed by ``"forecast_proportions"``.
    keys : the bottom frame's key columns.
    method : ``"forecast_proportions"`` or ``"bottom_up"`` (see the module docstring).

    Returns
    -------
    A copy of ``bottom`` with every value column (``yhat``, quantiles, baseline) reconciled; its
    ``attrs["reconcile"]`` holds the method and, per date, the factor applied.

    Raises
    ------
    ParameterError : unknown method, missing total or key columns, or dates of the bottom that the
        total does not cover.
    """
    if method not in METHODS:
        raise ParameterError(f"method: {method!r} is not one of {list(METHODS)}")
    keys = list(keys)
    missing = [k for k in [*keys, "ds", "yhat"] if k not in bottom.columns]
    if missing:
        raise ParameterError(f"bottom forecast: missing columns {missing}")
    out = bottom.copy()
    if method == "bottom_up":
        out.attrs["reconcile"] = {"method": method, "factor": pd.Series(1.0, index=sorted(out.ds.unique()))}
        return out
    if total is None or "yhat" not in total.columns or "ds" not in total.columns:
        raise ParameterError("forecast_proportions needs the total's forecast [ds, yhat, ...]")
    direct = total.set_index("ds")
    if direct.index.duplicated().any():
        raise ParameterError("total forecast: one row per date expected (it is the sum of all series)")
    uncovered = sorted(set(out.ds) - set(direct.index))
    if uncovered:
        raise ParameterError(f"total forecast: no row for {len(uncovered)} dates of the bottom forecast, "
                             f"first {pd.Timestamp(uncovered[0]).date()}")
    columns = _value_columns(out)
    summed = out.groupby("ds")["yhat"].sum()
    top = direct["yhat"].reindex(summed.index)
    factor = top / summed.where(summed > 0)
    empty = factor.index[factor.isna() & (top > 0)]  # the bottom forecasts nothing that day
    scale = out.ds.map(factor).fillna(0.0).to_numpy()
    for col in columns:
        out[col] = out[col].to_numpy() * scale
    if len(empty):  # nothing to split in proportion: an equal split of the total's values
        on = out.ds.isin(empty).to_numpy()
        counts = out[on].groupby("ds").size()
        for col in columns:
            source = direct[col] if col in direct.columns else direct["yhat"]
            out.loc[on, col] = out.loc[on, "ds"].map(source / counts).to_numpy()
    out.attrs["reconcile"] = {"method": method, "factor": factor, "equal_split_dates": list(empty)}
    return out


def level_totals(frame: pd.DataFrame, level, value_columns=None) -> pd.DataFrame:
    """Sums of a (reconciled) bottom forecast per ``level`` columns and date: a middle level of
    the hierarchy (``level=[]`` gives the total). Quantile columns are summed too, which is
    coherent with the bottom but not a quantile of the sum (said in ``attrs["note"]``)."""
    cols = value_columns or _value_columns(frame)
    out = frame.groupby([*level, "ds"], sort=True)[cols].sum().reset_index()
    out.attrs["note"] = "quantile columns are sums of the bottom quantiles (coherent, not quantiles of the sum)"
    return out
