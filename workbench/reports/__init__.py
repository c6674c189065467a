"""Scheduled papermill reports: parameter checks, runner, offline HTML, ledger, schedule, index.

Layers, bottom up: ``params`` and ``layout`` (pure), ``record`` (called from notebooks),
``ledger``, ``lock`` and ``render`` (one kind of I/O each), ``runner`` (one run), ``schedule``
(the ``reports.yaml`` manifest, ``due`` and ``run_all``), ``index`` and ``retention``.
"""
