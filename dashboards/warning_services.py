"""Writes of 填报进度 and 三色预警: a county's reporting deadlines, its warning limits, and the 已核实
marks officials put on warnings (kept with who, when and why)."""

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ledger.models import LedgerYear
from ledger.text import clean_text
from villages.models import County

from .models import ReportingDeadline, WarningReview, WarningRules
from .selectors.warnings import CHECKS

MAX_REASON = 500


class WarningSettingsError(Exception):
    """Input the rules refuse; the message is shown to the official as it is (Chinese)."""


def _actor(actor):
    return actor if getattr(actor, "pk", None) else None


def reporting_deadline_set(*, county: County, year: int, due_date: date, actor=None) -> ReportingDeadline:
    """Set (or move) the county's 填报截止日 for a year. It may not fall before the year has ended."""
    if due_date <= date(year, 12, 31):
        raise WarningSettingsError(_("%(year)s年的填报截止日应在该年结束之后。") % {"year": year})
    if due_date.year > year + 2:
        raise WarningSettingsError(_("%(year)s年的填报截止日不应晚于 %(last)s 年底。") % {"year": year, "last": year + 2})
    with transaction.atomic():
        deadline, _created = ReportingDeadline.objects.select_for_update().get_or_create(
            county=county, year=year, defaults={"due_date": due_date, "updated_by": _actor(actor)})
        if not _created:
            deadline.due_date, deadline.updated_by = due_date, _actor(actor)
            deadline.save()
    return deadline


def warning_rules_update(*, county: County, drop_percent: Decimal, red_drop_percent: Decimal, jump_ratio: Decimal,
                         actor=None) -> WarningRules:
    """The county's 三色预警 limits: a fall beyond `drop_percent` is yellow, beyond `red_drop_percent`
    red; a figure over `jump_ratio` times last year's (or under its 1/ratio) a suspected unit slip."""
    problems = []
    if not (0 < drop_percent <= 100 and 0 < red_drop_percent <= 100):
        problems.append(_("降幅须在 0 到 100% 之间。"))
    if red_drop_percent < drop_percent:
        problems.append(_("红色预警降幅不应低于黄色预警降幅。"))
    if jump_ratio < 2:
        problems.append(_("疑似单位错误的倍数至少为 2。"))
    if problems:
        raise WarningSettingsError("".join(problems))
    with transaction.atomic():
        rules, _created = WarningRules.objects.select_for_update().get_or_create(county=county)
        rules.drop_percent, rules.red_drop_percent, rules.jump_ratio = drop_percent, red_drop_percent, jump_ratio
        rules.updated_by = _actor(actor)
        rules.save()
    return rules


def warning_review_create(*, ledger_year: LedgerYear, code: str, reason: str, actor) -> WarningReview:
    """Mark one warning of a village-year 已核实 with the official's reason. A mark is never edited
    or removed (the reason stays as given); marking the same warning twice is refused."""
    if code not in CHECKS:
        raise WarningSettingsError(_("未知的预警项。"))
    reason = clean_text(reason).strip()
    if not reason:
        raise WarningSettingsError(_("请填写核实说明。"))
    if len(reason) > MAX_REASON:
        raise WarningSettingsError(_("核实说明最多 %(n)s 个字。") % {"n": MAX_REASON})
    try:
        with transaction.atomic():
            return WarningReview.objects.create(ledger_year=ledger_year, code=code, reason=reason,
                                                reviewed_by=_actor(actor))
    except IntegrityError as exc:
        raise WarningSettingsError(_("该预警已核实过。")) from exc
