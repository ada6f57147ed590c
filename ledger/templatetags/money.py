from django import template

from ledger.money import format_wan, format_yuan

register = template.Library()


@register.filter
def wan(amount, places: int = 2) -> str:
    """元 → 万元 with thousands separators: {{ ly.total_income|wan }}."""
    return format_wan(amount, int(places))


@register.filter
def yuan(amount) -> str:
    return format_yuan(amount)
