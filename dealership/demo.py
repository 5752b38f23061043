"""Demo data contributed by each app: `seed_demo` builds the core, then runs these in app order.

An app registers its seeder from `AppConfig.ready()`. A seeder takes the command's random
generator, leaves existing data alone, and returns one line saying what it did.
"""

import random
from collections.abc import Callable

Seeder = Callable[[random.Random], str]
_SEEDERS: list[Seeder] = []


def register(seeder: Seeder) -> None:
    if seeder not in _SEEDERS:
        _SEEDERS.append(seeder)


def seeders() -> list[Seeder]:
    return list(_SEEDERS)
