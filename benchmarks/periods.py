"""Daily benchmark panels summed to weeks and months: the one home of that step for the
benchmark scripts (``window_band_coverage``, ``forecast_lunar``, ``event_nondaily``)."""

from __future__ import annotations

import pandas as pd

from workbench.data.validate import period_end


def to_periods(frame: pd.DataFrame, keys: list[str], freq: str, value: str = "y") -> pd.DataFrame:
    """A daily long frame ``[keys..., ds, value]`` (units per day) summed to whole periods of
    ``freq`` (``"W"``: weeks from Monday; ``"MS"``: months), each dated by its first day; a period
    the data cover in part is left out (it is no total: a partial first or last period would
    look like a collapse). A day whose value is missing (NaN) is no day of the data: a period
    holding one is partial too (a sum that skips it would be low). ``"D"`` returns ``frame`` as it
    is.

    Returns ``[keys..., ds, value]``, sorted by keys and date, one row per series and whole period."""
    if freq == "D":
        return frame
    start = (frame.ds - pd.to_timedelta(frame.ds.dt.day_of_week, unit="D") if freq == "W"
             else frame.ds.dt.to_period("M").dt.to_timestamp())
    out = frame.assign(ds=start).groupby([*keys, "ds"], as_index=False).agg(
        **{value: (value, "sum"), "_days": (value, "count")})
    length = {d: (period_end(d, freq) - d).days + 1 for d in out.ds.unique()}
    whole = out._days.to_numpy() == out.ds.map(length).to_numpy()
    return out[whole].drop(columns="_days").reset_index(drop=True)
