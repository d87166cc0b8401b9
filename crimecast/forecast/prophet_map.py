"""Prophet's model, fitted by Prophet's own Stan program, without its DataFrame plumbing.

The Prophet member uses linear growth, no Fourier seasonality and only extra
regressors (month indicators and level shifts), unstandardised and additive.
For that configuration Prophet's ``fit`` does three things: scale the data
(``absmax``), place the changepoints, and hand the data to its compiled Stan
model for the MAP estimate; its ``predictive_samples`` extrapolates the
piecewise-linear trend with random future slope changes and adds Gaussian
noise. Prophet spends most of its time in pandas around those steps (on a
monthly series about 30 ms building features per call, and a Python loop
per path when sampling). This module does the same steps on numpy arrays and
calls the same compiled Stan program the way Prophet's backend does, so the fitted
parameters are Prophet's (tests compare them), in a fraction of the time.
Paths are drawn from a seeded generator instead of numpy's global one.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from crimecast.errors import ModelError

N_CHANGEPOINTS = 25  # Prophet's default
ALGORITHM = "LBFGS"  # Prophet picks Newton under 100 points: L-BFGS reaches the same optimum several times faster
STAN_SEED = 1

STAN_ITERATIONS = 10_000  # as Prophet
_MODELS = threading.local()  # one loaded Stan model per thread


@contextlib.contextmanager
def quiet_stan_import(*also: str) -> Iterator[None]:
    """Import CmdStanPy (or Prophet) inside the block with its chatter silenced.

    CmdStanPy resets its logger's level on import, so a null handler goes on
    before and the levels (CmdStanPy's and ``also``'s) are lowered after.
    """
    logging.getLogger("prophet.plot").setLevel(logging.CRITICAL)
    stan_logger = logging.getLogger("cmdstanpy")
    if not stan_logger.hasHandlers():
        stan_logger.addHandler(logging.NullHandler())
    yield
    for name in ("cmdstanpy", *also):
        logging.getLogger(name).setLevel(logging.ERROR)


def _prophet_stan_dir() -> Path:
    """Prophet's compiled Stan model and its bundled CmdStan, found without importing Prophet (and its plotting)."""
    spec = importlib.util.find_spec("prophet")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("Prophet is not installed; install crimecast's requirements (pip install crimecast).")
    return Path(next(iter(spec.submodule_search_locations))) / "stan_model"


def _stan_model():
    """Prophet's compiled Stan program through CmdStanPy, as Prophet's own backend loads it, once per thread."""
    if not hasattr(_MODELS, "model"):
        with quiet_stan_import():
            import cmdstanpy

        stan_dir = _prophet_stan_dir()
        bundled = sorted(stan_dir.glob("cmdstan-*"))
        if bundled:
            cmdstanpy.set_cmdstan_path(str(bundled[-1]))
        _MODELS.model = cmdstanpy.CmdStanModel(exe_file=str(stan_dir / "prophet_model.bin"))
    return _MODELS.model


def _optimize(init: dict, data: dict) -> dict[str, np.ndarray]:
    """The MAP estimate, as Prophet's backend runs it: L-BFGS, falling back on Newton if it stops abnormally."""
    model = _stan_model()
    arguments = {"data": data, "inits": init, "iter": STAN_ITERATIONS, "seed": STAN_SEED}
    try:
        fit = model.optimize(algorithm=ALGORITHM, **arguments)
    except RuntimeError:
        fit = model.optimize(algorithm="Newton", **arguments)
    return {name: np.atleast_1d(np.asarray(fit.stan_variable(name), dtype=float))
            for name in ("k", "m", "delta", "beta", "sigma_obs")}


@dataclass(frozen=True)
class ProphetFit:
    """Prophet's MAP parameters and the scales that map months and counts onto them."""

    k: float
    m: float
    delta: np.ndarray
    beta: np.ndarray
    sigma_obs: float
    changepoints_t: np.ndarray
    start: pd.Timestamp
    t_scale: pd.Timedelta
    y_scale: float
    first_t_step: float  # the mean step of scaled time in the history (used for one-period horizons)

    def scaled_time(self, months: pd.DatetimeIndex) -> np.ndarray:
        return np.asarray((months - self.start) / self.t_scale, dtype=float)

    def trend(self, months: pd.DatetimeIndex) -> np.ndarray:
        """The fitted piecewise-linear trend at ``months``, on the data's scale."""
        t = self.scaled_time(months)
        after = self.changepoints_t[None, :] <= t[:, None]
        slope = self.k + (after * self.delta).sum(axis=1)
        offset = self.m - (after * self.delta * self.changepoints_t).sum(axis=1)
        return (slope * t + offset) * self.y_scale

    def regression(self, design: np.ndarray) -> np.ndarray:
        """The regressors' contribution (``design @ beta``) on the data's scale."""
        return design @ self.beta * self.y_scale


def _changepoint_times(t: np.ndarray, changepoint_range: float) -> np.ndarray:
    """Prophet's grid: up to 25 changepoints evenly through the first ``changepoint_range`` of the points."""
    hist_size = int(np.floor(len(t) * changepoint_range))
    n_changepoints = min(N_CHANGEPOINTS, hist_size - 1)
    if n_changepoints <= 0:
        return np.array([0.0])  # Prophet's dummy changepoint
    indexes = np.linspace(0, hist_size - 1, n_changepoints + 1).round().astype(int)
    return np.sort(t[indexes][1:])


def fit_prophet_map(months: pd.DatetimeIndex, y: np.ndarray, design: np.ndarray, *, prior_scales: list[float],
                    changepoint_prior_scale: float, changepoint_range: float) -> ProphetFit:
    """Prophet's MAP fit of ``y`` on linear growth plus the ``design`` regressors.

    Parameters
    ----------
    months
        The periods of ``y`` (missing values already dropped).
    y
        The values (here log counts).
    design
        One column per extra regressor, additive and unstandardised.
    prior_scales
        The normal prior's scale of each regressor.
    changepoint_prior_scale, changepoint_range
        As in ``prophet.Prophet``.
    """
    y = np.asarray(y, dtype=float)
    y_scale = float(np.abs(y).max()) or 1.0
    start, t_scale = months[0], months[-1] - months[0]
    t = np.asarray((months - start) / t_scale, dtype=float)
    changepoints_t = _changepoint_times(t, changepoint_range)
    y_scaled = y / y_scale
    k = (y_scaled[-1] - y_scaled[0]) / (t[-1] - t[0])
    init = {"k": k, "m": y_scaled[0] - k * t[0], "delta": np.zeros(len(changepoints_t)),
            "beta": np.zeros(design.shape[1]), "sigma_obs": 1.0}
    if y.min() == y.max():  # as Prophet: a constant series keeps its initial line, with no noise
        params = {**init, "sigma_obs": 1e-9}
    else:
        data = {"T": len(y), "S": len(changepoints_t), "K": design.shape[1], "tau": changepoint_prior_scale,
                "trend_indicator": 0, "y": y_scaled.tolist(), "t": t.tolist(), "t_change": changepoints_t.tolist(),
                "X": np.asarray(design, dtype=float).tolist(), "sigmas": list(prior_scales),
                "s_a": [1.0] * design.shape[1], "s_m": [0.0] * design.shape[1], "cap": [0.0] * len(y)}
        params = _optimize({**init, "delta": init["delta"].tolist(), "beta": init["beta"].tolist()}, data)
        if len(changepoints_t) == 1 and changepoints_t[0] == 0.0:  # as Prophet: no changepoints, delta folded into k
            params["k"], params["delta"] = params["k"] + params["delta"], np.zeros(1)
    return ProphetFit(k=float(np.ravel(params["k"])[0]), m=float(np.ravel(params["m"])[0]),
                      delta=np.ravel(params["delta"]).astype(float), beta=np.ravel(params["beta"]).astype(float),
                      sigma_obs=float(np.ravel(params["sigma_obs"])[0]), changepoints_t=changepoints_t, start=start,
                      t_scale=t_scale, y_scale=y_scale, first_t_step=float(np.diff(t).mean()))


def sample_prophet(fit: ProphetFit, months: pd.DatetimeIndex, design: np.ndarray, *, n_paths: int,
                   seed: int) -> np.ndarray:
    """Paths (``n_paths`` x periods) as Prophet's ``predictive_samples`` draws them, from a seeded generator.

    Future slope changes arrive as often as the history's changepoints did,
    each Laplace-distributed with the mean absolute fitted change; then
    Gaussian noise with the fitted ``sigma_obs``.
    """
    rng = np.random.default_rng(seed)
    t = fit.scaled_time(months)
    step = float(np.diff(t).mean()) if len(t) > 1 else fit.first_t_step
    change_likelihood = len(fit.changepoints_t) * step
    mean_delta = float(np.mean(np.abs(fit.delta))) + 1e-8
    arrives = rng.uniform(size=(n_paths, len(t))) < change_likelihood
    shifts = rng.laplace(0.0, mean_delta, size=arrives.shape) * arrives
    shifts = (shifts + np.hstack([np.zeros((n_paths, 1)), shifts[:, :-1]])) / 2  # as Prophet: half now, half next
    trend_drift = shifts.cumsum(axis=1).cumsum(axis=1) * step * fit.y_scale
    noise = rng.normal(0.0, fit.sigma_obs, size=arrives.shape) * fit.y_scale
    return fit.trend(months)[None, :] + trend_drift + fit.regression(design)[None, :] + noise
