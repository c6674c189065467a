"""Budget scenarios, channel response curves and traffic allocation against ROI targets.

Layers, bottom up: ``curves`` (Hill curves, fitting), ``pwl`` (piecewise-linear bounds),
``solver`` (PuLP status), ``allocate`` (the three modes), ``frontier``, ``scenario`` (YAML
schema, validation, inheritance), ``run`` (a whole scenario), ``compare``; ``io`` reads and
writes the files and ``sample`` generates the shipped channel history.
"""
