"""Helpers for the entry-page tests: post a statement as the browser would."""

from django.urls import reverse

from .factories import item_for_year


def village_year_url(village, year: int) -> str:
    return reverse("ledger:village_year", kwargs={"village_pk": village.pk, "year": year})


def transition_url(village, year: int) -> str:
    return reverse("ledger:village_year_transition", kwargs={"village_pk": village.pk, "year": year})


def statement_data(year: int, amounts: dict, *, version: int = 0, unit: str = "wan", explanation: str = "") -> dict:
    """POST data for {item code: text} or {(item code, 项目): text}, or (text, note) values."""
    data = {"unit": unit, "version": str(version), "explanation": explanation}
    rows: dict[int, int] = {}
    for key, value in amounts.items():
        code, name = key if isinstance(key, tuple) else (key, "")
        amount, note = value if isinstance(value, tuple) else (value, "")
        item_id = item_for_year(year, code).pk
        n = rows.get(item_id, 0)
        rows[item_id] = n + 1
        prefix = f"line-{item_id}-{n}"
        data[f"{prefix}-name"] = name
        data[f"{prefix}-amount"] = amount
        data[f"{prefix}-note"] = note
    return data
