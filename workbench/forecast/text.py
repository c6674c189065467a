"""Numbers in the words of forecast notes and errors: never scientific notation."""

from __future__ import annotations

import math


def readable(x: float) -> str:
    """``x`` for a person: thousands separators (``27,930``), up to four significant
    digits below 100 and at most three decimals (``0.107``, ``12.35``: the reports' readability
    rule; a SKU x region level of 0.05357 a day had failed it), ``under 0.001`` for tiny values,
    and a power of ten past a trillion (``5.3 x 10^47``), where digits stop meaning anything to a
    reader."""
    x = float(x)
    if not math.isfinite(x):
        return "infinite" if math.isinf(x) else "not a number"
    size = abs(x)
    if size >= 1e12:
        exponent = math.floor(math.log10(size))
        return f"{x / 10 ** exponent:.1f} x 10^{exponent}"
    if size >= 100:
        return f"{x:,.0f}"
    if size == 0:
        return "0"
    if size < 1e-3:
        return "under 0.001" if x > 0 else "above -0.001"
    decimals = min(3, max(0, 3 - math.floor(math.log10(size))))
    return f"{x:,.{decimals}f}".rstrip("0").rstrip(".")
