"""Typed, user-facing exceptions.

Every message says what is wrong, where (file, row, column or field) and what to do about it.
The CLI prints them without a traceback and exits with ``exit_code``.
"""


class WorkbenchError(Exception):
    """Base class of every error the workbench raises on purpose."""

    exit_code = 2


class DataValidationError(WorkbenchError):
    """Input data is malformed: missing columns, bad dates, duplicates, negative targets."""


class ConfigError(WorkbenchError):
    """A configuration file (events YAML, budget scenario, reports manifest) is invalid."""


class CalendarRangeError(ConfigError):
    """A date's year is one the calendar cannot place (the ``holidays`` package knows Spring
    Festival for 1950-2100 only)."""


class ParameterError(WorkbenchError):
    """A notebook or function parameter has an unknown name or a value of the wrong type."""


class ModelError(WorkbenchError):
    """A forecasting model cannot be fitted or used as asked."""


class SolverError(WorkbenchError):
    """An optimizer failed to produce any answer (not the same as an infeasible answer)."""


class ReportError(WorkbenchError):
    """A scheduled or manual report run failed."""

    exit_code = 3


class KernelDiedError(ReportError):
    """The notebook kernel died (usually out of memory) while running a report."""

    exit_code = 4


class RunInterrupted(ReportError):
    """A report run was stopped by Ctrl-C or SIGTERM; its ledger row is marked ``interrupted``."""

    exit_code = 130  # the shell's code for a process ended by SIGINT
