"""Network design: facility location, the two-tier China network (stock lives in workbench.inventory).

Public entry points:

* :func:`workbench.network.facility.solve_facility_location` - generic capacitated facility
  location from tables (the ``workbench network solve`` contract);
* :func:`workbench.network.design.optimize_network` and :class:`~workbench.network.params.NetworkParams`
  - central + front warehouses under a delivery promise;
* :func:`workbench.network.plans.evaluate_plan`, :func:`~workbench.network.plans.compare_plans`;
* :func:`workbench.network.china.run_default_plan` - the embedded China network, named plan vs
  optimized (``workbench network plan``);

Models are built and solved through the shared solver layer :mod:`workbench.optimize`.
"""
