"""The identifiers a service desk types every day: VIN, Chinese number plate, mobile, landline.

Each has a `normalize_*` that forgives what people really type (lower case, spaces, the plate's
middle dot, a +86 prefix, full-width letters and digits from a Chinese input method) and a
`validate_*` that refuses anything still wrong with a message in the user's language. Model
fields, forms and the API all go through these functions.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# --- VIN (ISO 3779; the ninth character is the check digit required by GB 16735) -----------------

VIN_LENGTH = 17
_VIN_ALPHABET = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def _half_width(value) -> str:
    """ＬＦＶ１２３ → LFV123: NFKC folds full-width Latin letters and digits, and leaves Chinese alone."""
    return unicodedata.normalize("NFKC", str(value))


def normalize_vin(value: str) -> str:
    return re.sub(r"[\s-]", "", _half_width(value)).upper()


def vin_check_digit(vin: str) -> str:
    """Return the check character (0-9 or X) for a 17-character VIN; position 9 is ignored."""
    total = sum(_VIN_VALUES[char] * weight for char, weight in zip(vin, _VIN_WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def validate_vin(value: str) -> None:
    vin = normalize_vin(value)
    if len(vin) != VIN_LENGTH:
        raise ValidationError(
            _("A VIN has 17 characters; this one has %(count)d."),
            code="vin_length",
            params={"count": len(vin)},
        )
    if not _VIN_ALPHABET.match(vin):
        raise ValidationError(
            _("A VIN uses only digits and the letters A-Z without I, O and Q."), code="vin_characters"
        )
    if vin[8] != vin_check_digit(vin):
        # Not naming the expected digit on purpose: the typo is usually elsewhere, and "fixing"
        # the 9th character would only make a wrong VIN pass.
        raise ValidationError(
            _("This VIN does not add up (its check digit does not match): one of the 17 characters is mistyped."),
            code="vin_check_digit",
        )


# --- Chinese number plates (GA 36-2018, including new-energy plates) ------------------------------

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_LETTER = "A-HJ-NP-Z"  # I and O are never used on plates
_PLATE_ORDINARY = re.compile(rf"^[{PROVINCES}][{_LETTER}][{_LETTER}0-9]{{4}}[{_LETTER}0-9挂学警港澳]$")
# New-energy plates have six characters after the issuing-office letter. Small cars start with D
# (battery electric) or F (other new energy), and, where those series ran out, with A, B, C, E
# (battery electric) or G, H, J, K (other); large vehicles end with D or F.
_PLATE_NEW_ENERGY = re.compile(rf"^[{PROVINCES}][{_LETTER}](?:[A-HJK][{_LETTER}0-9][0-9]{{4}}|[0-9]{{5}}[DF])$")


def normalize_plate(value: str) -> str:
    return re.sub(r"[\s·•.\-]", "", _half_width(value)).upper()


def validate_plate(value: str) -> None:
    plate = normalize_plate(value)
    if _PLATE_ORDINARY.match(plate) or _PLATE_NEW_ENERGY.match(plate):
        return
    raise ValidationError(
        _(
            "Not a valid Chinese number plate: a province character, an office letter and five "
            "characters (six on a new-energy plate), for example 豫P12345 or 豫PD12345."
        ),
        code="plate",
    )


# --- Phone numbers ---------------------------------------------------------------------------------

_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
_LANDLINE = re.compile(r"^0[1-9][0-9]{1,2}-[2-9][0-9]{6,7}(?:-[0-9]{1,6})?$")


def normalize_mobile(value: str) -> str:
    digits = re.sub(r"[\s\-()]", "", _half_width(value))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits


def validate_mobile(value: str) -> None:
    if not _MOBILE.match(normalize_mobile(value)):
        raise ValidationError(
            _("A mainland mobile number has 11 digits and starts with 13 to 19, for example 13812345678."),
            code="mobile",
        )


def normalize_landline(value: str) -> str:
    text = re.sub(r"[\s()]", "-", _half_width(value).strip()).strip("-")
    text = re.sub(r"-{2,}", "-", text)
    if "-" not in text and text.startswith("0") and len(text) in (11, 12):
        # A run of digits: area codes of Beijing, Shanghai and the like are 3 digits, others 4.
        area = 3 if text[1] in "12" else 4
        text = f"{text[:area]}-{text[area:]}"
    return text


def validate_landline(value: str) -> None:
    if not _LANDLINE.match(normalize_landline(value)):
        raise ValidationError(
            _("A landline is the area code and the number, for example 0394-8123456."),
            code="landline",
        )


def mask_mobile(value: str) -> str:
    """Show a mobile number as 138****1234, as the privacy rules ask for lists and logs."""
    if len(value) == 11:
        return f"{value[:3]}****{value[-4:]}"
    return value
