"""How a member of staff is named in a complaint's timeline and reached by text: the services' shared bits."""

from django.contrib.auth.models import AbstractBaseUser

BATCH = 1000  # rows a sweep takes in one transaction


def staff_mobile(user: AbstractBaseUser) -> str:
    staff = getattr(user, "staff", None)
    return staff.mobile if staff and staff.mobile else ""


def staff_name(user: AbstractBaseUser) -> str:
    staff = getattr(user, "staff", None)
    return staff.name if staff else user.get_username()
