from urllib.parse import urlencode

from django import template
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag
def query_with(query, **changes) -> str:
    """The current query string with some parameters changed (None or "" removes one); keeps filters in links."""
    query = query.copy()
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.filter
def signed(value) -> str:
    """Rank change as ↑3 / ↓2 / –."""
    if value is None:
        return gettext("新")  # no rank last year
    if value > 0:
        return f"↑{value}"
    if value < 0:
        return f"↓{-value}"
    return "–"


@register.filter
def pct(value) -> str:
    return "—" if value is None else f"{value}%"


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.filter
def get_figure(ledger_year, code: str):
    return getattr(ledger_year, code)


@register.filter
def pair(first, second) -> tuple:
    return (first, second)


@register.filter
def urlencode_dict(mapping) -> str:
    """A dict of query parameters as a query string (the scope a menu link keeps)."""
    return urlencode(mapping or {})


@register.filter
def days_text(days) -> str:
    """Days left before a deadline as 剩 N 天 / 今天截止 / 逾期 N 天."""
    if days is None:
        return "—"
    if days > 0:
        return gettext("剩 %(n)s 天") % {"n": days}
    if days == 0:
        return gettext("今天截止")
    return gettext("逾期 %(n)s 天") % {"n": -days}


@register.filter
def days_left(deadline, today) -> int | None:
    """A deadline's days left on `today` (negative: overdue)."""
    return None if deadline is None else deadline.days_left(today)
