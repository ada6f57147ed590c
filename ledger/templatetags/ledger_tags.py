"""Small display helpers of the entry pages."""

from decimal import Decimal

from django import template

from ledger.money import YUAN, format_wan, format_yuan
from ledger.selectors import person_name

register = template.Library()

STATUS_CLASSES = {"none": "status-none", "draft": "status-draft", "submitted": "status-submitted",
                  "returned": "status-returned", "approved": "status-approved"}


@register.filter
def change_wan(amount) -> str:
    """A change in 万元 with its sign: +12.30, −4.00, 0.00; — when there is nothing to compare."""
    if amount is None:
        return "—"
    amount = Decimal(amount)
    text = format_wan(abs(amount))
    if text == "0.00":
        return text
    return f"+{text}" if amount > 0 else f"−{text}"


@register.filter
def yuan_exact(amount) -> str:
    """For title attributes: the exact amount in 元 behind a rounded 万元 figure."""
    return "" if amount is None else f"{format_yuan(amount)} 元"


@register.filter
def status_class(status: str) -> str:
    return STATUS_CLASSES.get(status or "none", "")


@register.filter
def in_unit(amount, unit: str) -> str:
    """An amount (元) in the unit the page is in: 万元 with two decimals, or 元 with two decimals."""
    return format_yuan(amount) if unit == YUAN else format_wan(amount)


@register.filter
def person(user) -> str:
    """A person by the name the pages use (`ledger.selectors.person_name`), never the login name."""
    return person_name(user)
