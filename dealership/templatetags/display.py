"""Template filters for what every page shows the same way: money and masked phone numbers."""

from django import template

from dealership.identifiers import mask_mobile
from dealership.money import format_cny

register = template.Library()


@register.filter
def cny(value) -> str:
    """{{ total|cny }} → ¥1,234.50"""
    return format_cny(value)


@register.filter
def masked(value) -> str:
    """{{ customer.mobile|masked }} → 138****1234"""
    return mask_mobile(value or "")
