"""Network design: facility location, the two-tier China network (stock lives in workbench.inventory).

Public entry points:

* :func:`workbench.network.facility.solve_facility_location` - generic capacitated facility
  location from tables (the ``workbench network solve`` contract);
* :func:`workbench.network.design.optimize_network` and :class:`~workbench.network.params.NetworkParams`
  - central + front warehouses under a delivery promise;
* :func:`workbench.network.plans.evaluate_plan`, :func:`~workbench.network.plans.compare_plans`;
* :func:`workbench.network.china.run_request` with a :class:`~workbench.network.china.PlanRequest`
  - named plan vs best fronts vs optimized, on the sample or on a team's files
  (``workbench network plan``; :mod:`workbench.network.inputs` reads demand, sites and lanes,
  :mod:`workbench.network.places` resolves city names);
* :func:`workbench.network.plans.coverage_by_region` - shares of each region's units within 24 h
  and 72 h;

Models are built and solved through the shared solver layer :mod:`workbench.optimize`.
"""
