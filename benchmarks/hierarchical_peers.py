"""hierarchicalforecast (Nixtla) reconciliation for benchmarks/forecast_reconcile.py, run inside the
separate peer venv that script creates (hierarchicalforecast pins its own library versions; it is
never a project dependency).

Reads, from the folder given, ``base.csv`` (``unique_id, ds, auto``: the workbench's direct
forecasts of every series of the hierarchy), ``insample.csv`` (``unique_id, ds, y, auto``: past
actuals and forecasts at rolling origins, one pseudo-date per origin and day, for MinT-shrink's
residuals), ``S.csv`` (``unique_id`` and one 0/1 column per bottom series) and ``tags.json``
(level -> its unique_ids); reconciles with BottomUp, TopDown (forecast proportions) and
MinTrace (ols, wls_struct, wls_var, mint_shrink; wls_var and mint_shrink on the insample
errors), without the non-negative option (its QP is the peer's
slow path; the negative values are counted by the caller), and writes ``reconciled.csv``
(``unique_id, ds, method, yhat``) with the seconds each method took.

    python hierarchical_peers.py FOLDER
"""

import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from hierarchicalforecast.core import HierarchicalReconciliation
from hierarchicalforecast.methods import BottomUp, MinTrace, TopDown

METHODS = {"bottom_up": BottomUp(), "forecast_proportions": TopDown(method="forecast_proportions"),
           "ols": MinTrace(method="ols"), "wls_struct": MinTrace(method="wls_struct"),
           "wls_var": MinTrace(method="wls_var"), "mint_shrink": MinTrace(method="mint_shrink")}
NEEDS_INSAMPLE = ("wls_var", "mint_shrink")


def main(folder: str) -> int:
    folder = Path(folder)
    base = pd.read_csv(folder / "base.csv", parse_dates=["ds"])
    insample = pd.read_csv(folder / "insample.csv", parse_dates=["ds"])
    S = pd.read_csv(folder / "S.csv")
    tags = {level: np.array(ids) for level, ids in json.loads((folder / "tags.json").read_text()).items()}
    outs = []
    for name, method in METHODS.items():
        t0 = time.perf_counter()
        try:
            fc = HierarchicalReconciliation(reconcilers=[method]).reconcile(
                Y_hat_df=base, S_df=S, tags=tags, Y_df=insample if name in NEEDS_INSAMPLE else None)
        except Exception as exc:  # TopDown on a grouped (not strictly hierarchical) structure
            print(f"hierarchicalforecast {name}: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        column = [c for c in fc.columns if c.startswith("auto/")][0]
        outs.append(pd.DataFrame({"unique_id": fc["unique_id"], "ds": fc["ds"], "method": name,
                                  "yhat": fc[column], "seconds": time.perf_counter() - t0}))
    pd.concat(outs).to_csv(folder / "reconciled.csv", index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
