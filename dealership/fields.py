"""Model and form fields for the identifiers in `identifiers.py`.

The model field normalises in `to_python`, so `full_clean()` and every ModelForm store the same
canonical text the API stores ("豫P·d1234 5" becomes "豫PD12345").
"""

from collections.abc import Callable

from django import forms
from django.db import models

from dealership import identifiers


class NormalizedFormField(forms.CharField):
    def __init__(self, *, normalizer: Callable[[str], str], **kwargs):
        self.normalizer = normalizer
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return self.normalizer(value) if value else value


class NormalizedCharField(models.CharField):
    normalizer: Callable[[str], str] = staticmethod(str)
    max_chars: int

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", self.max_chars)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == self.max_chars:
            del kwargs["max_length"]
        return name, path, args, kwargs

    def to_python(self, value):
        value = super().to_python(value)
        return type(self).normalizer(value) if value else value

    def formfield(self, **kwargs):
        # Room for what people type around the characters (spaces, dashes, "+86", the plate's dot);
        # the stored length is checked after normalising.
        return super().formfield(
            form_class=NormalizedFormField,
            normalizer=type(self).normalizer,
            **{"max_length": self.max_length + 8, **kwargs},
        )


class VinField(NormalizedCharField):
    normalizer = staticmethod(identifiers.normalize_vin)
    default_validators = [identifiers.validate_vin]
    max_chars = identifiers.VIN_LENGTH


class PlateField(NormalizedCharField):
    normalizer = staticmethod(identifiers.normalize_plate)
    default_validators = [identifiers.validate_plate]
    max_chars = 8


class MobileField(NormalizedCharField):
    normalizer = staticmethod(identifiers.normalize_mobile)
    default_validators = [identifiers.validate_mobile]
    max_chars = 11


class LandlineField(NormalizedCharField):
    normalizer = staticmethod(identifiers.normalize_landline)
    default_validators = [identifiers.validate_landline]
    max_chars = 20
