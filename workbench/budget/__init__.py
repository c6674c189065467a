"""Budget scenarios, channel response curves and traffic allocation against ROI targets.

Layers, bottom up: ``curves`` (Hill curves, fitting with bootstrap), ``pwl`` (piecewise-linear
lower bounds with proven error), ``channels`` (typed channel specs, the channel table's checks),
``modes`` (the table of allocation modes; solving is :mod:`workbench.optimize`),
``allocate`` (one model for every mode, read-back verification, infeasibility diagnosis;
``infeasibility`` holds its answer type), ``frontier``, ``scenario`` (YAML schema, validation,
inheritance, bounds against last year), ``run`` (a whole scenario), ``compare``; ``io`` reads
the files, ``sample`` generates the shipped channel history, ``params`` checks the notebook's
parameters and ``reference`` is the SLSQP peer used by the tests and the benchmark.
"""
