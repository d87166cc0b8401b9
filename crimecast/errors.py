"""Exceptions raised by crimecast.

Every error a user can cause is a :class:`CrimecastError`; its message names
the file, row, column or key at fault and says how to fix it. The CLI turns
these into one line and an exit code (1 for data and model problems, 2 for
usage problems) with no traceback unless ``--debug`` is given.
"""

from __future__ import annotations


class CrimecastError(Exception):
    """Base class for every error crimecast raises on purpose."""

    exit_code = 1


class UsageError(CrimecastError):
    """An option or argument combination that cannot work."""

    exit_code = 2


class DataError(CrimecastError):
    """Input data that breaks the data contract (month, area, category, count)."""


class ModelError(CrimecastError):
    """A model that cannot be fitted or used as asked."""


class NotFittedError(ModelError):
    """An estimator used before ``fit``."""


class SpecFileError(CrimecastError):
    """A specification file (YAML or CSV) that is missing, malformed or fails its schema."""


class ScenarioError(SpecFileError):
    """A scenario file that is malformed or inconsistent with the data."""


class ClusterError(CrimecastError):
    """A Dask scheduler that cannot be reached or that lost the work."""
class PlanError(SpecFileError):
    """A milestone plan (a YAML or CSV file, or a milestone given as options) that is malformed."""


class FleetFileError(SpecFileError):
    """A fleet file or the vehicles CSV it names that is malformed or inconsistent."""


class FundFileError(SpecFileError):
    """A Community Safety Fund assumptions file that is malformed or inconsistent with the data."""


class SolverError(CrimecastError):
    """An optimisation that did not reach a proven optimum."""


class TimeLimitError(SolverError):
    """A solve stopped by its time limit before proving an optimum.

    Attributes
    ----------
    best, bound
        The best plan's objective found (``None`` if none) and the best proven
        bound on the optimum (``None`` if the solver did not report one).
    """

    def __init__(self, message: str, *, best: float | None = None, bound: float | None = None):
        super().__init__(message)
        self.best = best
        self.bound = bound


class InfeasibleError(SolverError):
    """No plan satisfies every constraint; ``relaxations`` says the smallest change that would allow one.

    Attributes
    ----------
    relaxations
        ``(description, amount, unit)`` for each constraint that must give.
    reason
        What would allow a plan, without the problem's name and "no plan meets
        every constraint" (for a table's "why no plan" column); the message if
        not given.
    """

    def __init__(self, message: str, relaxations: list[tuple[str, float, str]] | None = None, *,
                 reason: str | None = None):
        super().__init__(message)
        self.relaxations = relaxations or []
        self.reason = reason or message
