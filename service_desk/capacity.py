"""How many technicians work today, as the workshop knows it.

The workshop keeps the shifts, and the service desk must not import the workshop (it sits below
it); the workshop registers a counter here when it starts, and the promised time (SD10) asks it.
"""

from collections.abc import Callable
from datetime import date

_counter: Callable[[date], int] | None = None


def register(counter: Callable[[date], int]) -> None:
    global _counter
    _counter = counter


def technicians_on_shift(day: date) -> int | None:
    """The number on the day's shift, or None when nobody keeps shifts."""
    return _counter(day) if _counter is not None else None
