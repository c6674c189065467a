"""Budget scenarios, channel response curves and traffic allocation against ROI targets.

Layers, bottom up: ``curves`` (Hill curves, fitting with bootstrap), ``pwl`` (piecewise-linear
lower bounds with proven error), ``solver`` (PuLP solve and honest status), ``allocate`` (the
three modes, infeasibility diagnosis), ``frontier``, ``scenario`` (YAML schema, validation,
inheritance), ``run`` (a whole scenario), ``compare``; ``io`` reads and writes the files,
``sample`` generates the shipped channel history, ``params`` checks the notebook's parameters
and ``reference`` is the SLSQP peer used by the tests and the benchmark.
"""
