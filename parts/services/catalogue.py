"""The parts catalogue: part numbers as printed, pinyin initials for the tablet keyboard, adding and editing parts."""

import re

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from pypinyin import Style, lazy_pinyin

from parts.models import Part


def normalize_part_number(value: str) -> str:
    """OEM numbers are printed with spaces or dashes (06H 115 562); store them without."""
    return re.sub(r"[\s\-.]", "", str(value)).upper()


def pinyin_initials(name: str) -> str:
    """机油滤清器 → jylqq, so a clerk can type the initials on a tablet keyboard."""
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")).lower()[:100]


PART_FIELDS = {
    "name",
    "retail_price",
    "wholesale_price",
    "unit",
    "is_positional",
    "is_genuine",
    "is_approved",
    "origin",
}


@transaction.atomic
def create_part(*, by: AbstractBaseUser, part_number: str, **fields) -> Part:
    """Add a part to the catalogue. Raises ValidationError (bad price, known number, ...)."""
    unknown = set(fields) - PART_FIELDS
    if unknown:
        raise TypeError(f"unknown part fields {sorted(unknown)}")
    part = Part(part_number=normalize_part_number(part_number), **fields)
    return _save_part(part, by=by)


@transaction.atomic
def update_part(*, by: AbstractBaseUser, part: Part, **changes) -> Part:
    """Change a part's name, prices or flags; its number and stock stay. Raises ValidationError."""
    unknown = set(changes) - PART_FIELDS
    if unknown:
        raise TypeError(f"cannot change {sorted(unknown)} of a part")
    for name, value in changes.items():
        setattr(part, name, value)
    return _save_part(part, by=by)


def _save_part(part: Part, *, by: AbstractBaseUser) -> Part:
    part.name = part.name.strip()
    part.initials = pinyin_initials(part.name)
    part.full_clean()
    part._history_user = by
    part.save()
    return part
