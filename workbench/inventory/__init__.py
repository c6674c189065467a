"""Stock: safety stock and reorder points from forecast quantiles, the team's stock and lead-time
tables, replenishment orders, the pre-event build, slow movers and the clearance list.

Modules (one concept each):

* :mod:`~workbench.inventory.policy` - the service-level quantile of lead-time demand (normal,
  Poisson or negative binomial) and the achieved cycle service level;
* :mod:`~workbench.inventory.demand` - the daily forecast's checks, spread and window sums;
* :mod:`~workbench.inventory.inputs` - stock snapshot and lead-time tables (read and checked), the
  seeded demo snapshot of the sample data;
* :mod:`~workbench.inventory.replenishment` - :func:`replenishment_plan`, :func:`alerts`,
  :func:`replenishment_orders`, :func:`pre_event_build`, :func:`event_stock`;
* :mod:`~workbench.inventory.clearance` - :func:`slow_movers`, :func:`clearance_list` (滞销品清仓).
"""

from workbench.inventory.clearance import clearance_list, slow_movers
from workbench.inventory.replenishment import (
    alerts,
    event_stock,
    pre_event_build,
    replenishment_orders,
    replenishment_plan,
)

__all__ = ["alerts", "clearance_list", "event_stock", "pre_event_build", "replenishment_orders",
           "replenishment_plan", "slow_movers"]
