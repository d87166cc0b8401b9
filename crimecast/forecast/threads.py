"""numpy's and SciPy's BLAS on one thread while models fit and sample.

The models multiply small matrices (a few hundred numbers) thousands of
times: OpenBLAS's worker threads then cost more than they give, and on a
busy machine waiting for them tripled the time of an ETS fit. One thread
also makes every result independent of the machine's core count.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

_CONTROLLERS: dict[bool, object] = {}


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """Limit BLAS to one thread inside the block (restored after it).

    SciPy brings its own BLAS; it is limited too once something has loaded it
    (the models no longer need SciPy, so it is not imported here just for this).
    """
    scipy_loaded = "scipy.linalg" in sys.modules
    if scipy_loaded not in _CONTROLLERS:
        from threadpoolctl import ThreadpoolController

        _CONTROLLERS[scipy_loaded] = ThreadpoolController()
    with _CONTROLLERS[scipy_loaded].limit(limits=1, user_api="blas"):
        yield
