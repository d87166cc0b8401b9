"""Defaults and names the command line needs before any heavy library is imported.

Each is defined once, here; the modules that use them import them from here,
so ``forecast --help`` can show them without importing pandas, Prophet or SciPy.
"""

from __future__ import annotations

DEFAULT_MODEL = "crimecast"
DEFAULT_HORIZON = 12
DEFAULT_PATHS = 1000
DEFAULT_SEED = 2014
# Every forecast simulates this many months and keeps the first ``horizon``, so
# a month's forecast never depends on how far beyond it one asks.
MAX_HORIZON = 60
MODEL_NAMES: tuple[str, ...] = ("crimecast", "prophet", "prophet-default", "ets", "seasonal-naive")
BASELINES: tuple[str, ...] = ("ets", "seasonal-naive")

BACKTEST_WINDOWS = 3
BACKTEST_MODELS: tuple[str, ...] = (DEFAULT_MODEL, *BASELINES)

# The share of the dataset drift (last year's dataset-wide forecast error, crimecast.forecast.drift) forecasts carry:
# a half did more on the Home Office table over 16 origins but broke its MASE target at the accuracy bench's last three;
# a quarter keeps every met target met (bench/RESULTS.md, sections "accuracy" and "milestones").
DRIFT_SHARE = 0.25

RUN_LENGTH = 7  # SPC: points in a row on one side of the mean that signal a shift

# A count milestone's series is "quiet" when both its year before and its expected year are under this many crimes:
# chance alone (one Poisson standard deviation, the square root of the total) then moves the year by 10% or more,
# more than most percentage targets, so the output says that meeting one is mostly chance.
QUIET_YEAR_TOTAL = 100
# ... but only while P(meet) lies within this share of either end: a target all but certain to be missed (a cut on a
# year of none) or met is not "mostly chance", and the note says it is fragile instead.
QUIET_CHANCE_BAND = 0.05

STORE_ENV = "CRIMECAST_STORE"  # the environment variable naming the store file
DEFAULT_FILL = "interpolate"  # short gaps inside a series are filled ...
DEFAULT_MAX_GAP = 2  # ... up to this many periods in a row

# Exceptional periods every forecast keeps out of fitting unless told otherwise (``--exceptional none``;
# ``exceptional: none`` in a file): the shipped calendar of England's 2020-21 lockdowns. Months outside a
# series change nothing. Measured in bench/RESULTS.md (section "exceptional-default").
DEFAULT_EXCEPTIONAL = "covid-uk"
NO_EXCEPTIONAL = "none"  # the value that keeps every month in
# A shipped calendar's period is kept out only once this many months of data follow it: until then the data cannot
# show whether the level came back (lockdown-1 kept out at October 2020, before the winter lockdowns, made forecasts
# worse on every monthly panel; bench/RESULTS.md, section "exceptional-default"). A user's own periods count at once.
CALENDAR_SETTLE_MONTHS = 6
# A force of several whose counts end up to this many months before the latest force's is waiting for its next months
# (police.uk data comes force by force): commands use the data to the last month every force they ask for has. A force
# further behind has stopped, as a series that stops does (not forecast from its last count).
FORCE_WAIT_MONTHS = 3
