"""numpy's and SciPy's BLAS on one thread while models fit and sample.

The models multiply small matrices (a few hundred numbers) thousands of
times: OpenBLAS's worker threads then cost more than they give, and on a
busy machine waiting for them tripled the time of an ETS fit. One thread
also makes every result independent of the machine's core count.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

_CONTROLLER = None


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """Limit BLAS to one thread inside the block (restored after it)."""
    global _CONTROLLER
    if _CONTROLLER is None:
        import scipy.linalg  # noqa: F401 - load SciPy's BLAS too, so that the controller sees it
        from threadpoolctl import ThreadpoolController

        _CONTROLLER = ThreadpoolController()
    with _CONTROLLER.limit(limits=1, user_api="blas"):
        yield
