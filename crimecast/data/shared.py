"""Read-only containers for a table's ``attrs``, shared between copies instead of copied.

pandas deep-copies a frame's ``attrs`` into the result of nearly every
operation (selecting a column, comparing, sorting). A large dataset's
``attrs`` hold hundreds of filled periods and series left out, so each
operation on it paid milliseconds for the copy. These containers never
change once made, so a deep copy may return the container itself.
"""

from __future__ import annotations

from typing import NoReturn


def _refuse(self, *args, **kwargs) -> NoReturn:
    raise TypeError(f"a {type(self).__name__} is shared between tables and never changed: make a new one instead")


class _Shared:
    """Copies (shallow or deep) are the container itself: it never changes, so sharing it is safe."""

    def __deepcopy__(self, memo: dict):
        return self

    def __copy__(self):
        return self


class FrozenList(_Shared, list):
    """A list that is never changed once made (``attrs["filled"]``); equal to a list with the same items."""

    def __reduce__(self):
        return type(self), (list(self),)

    append = extend = insert = remove = pop = clear = sort = reverse = _refuse
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse


class FrozenDict(_Shared, dict):
    """A dict that is never changed once made (``attrs["dropped"]``, ``attrs["parents"]``); equal to a dict with the same items."""

    def __reduce__(self):
        return type(self), (dict(self),)

    clear = pop = popitem = setdefault = update = _refuse
    __setitem__ = __delitem__ = __ior__ = _refuse
