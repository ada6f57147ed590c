"""Writes of the dashboards app: the tier settings a county official edits."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from villages.models import County

from .models import DEFAULT_THRESHOLDS, TierScheme, TierThreshold


class TierSettingsError(Exception):
    """Settings the rules refuse; the message is shown to the official as it is (Chinese)."""


@dataclass(frozen=True)
class ThresholdInput:
    label: str
    metric: str
    min_amount: Decimal


def tier_scheme_ensure(*, county: County) -> TierScheme:
    """The county's tier scheme, created with the default tiers and lines the first time it is needed."""
    scheme, created = TierScheme.objects.get_or_create(county=county)
    if created:
        TierThreshold.objects.bulk_create([
            TierThreshold(scheme=scheme, position=i, label=label, metric=metric, min_amount=amount)
            for i, (label, metric, amount) in enumerate(DEFAULT_THRESHOLDS, start=1)
        ])
    return scheme


def tier_scheme_update(
    *,
    county: County,
    thresholds: Sequence[ThresholdInput],
    weak_metric: str,
    weak_line: Decimal,
    shell_metric: str,
    shell_line: Decimal,
    actor=None,
) -> TierScheme:
    """Replace the county's tiers (highest first) and its 薄弱村/空壳村 lines.

    Tiers on the same figure must fall from the first to the last, so every village has one tier.
    """
    problems = []
    labels = [t.label.strip() for t in thresholds]
    if not thresholds:
        problems.append(_("至少需要一个梯队。"))
    if any(not label for label in labels):
        problems.append(_("梯队名称不能为空。"))
    if len(set(labels)) != len(labels):
        problems.append(_("梯队名称不能重复。"))
    last_by_metric: dict[str, Decimal] = {}
    for t in thresholds:
        if t.min_amount < 0:
            problems.append(_("梯队起点不能为负数。"))
        previous = last_by_metric.get(t.metric)
        if previous is not None and t.min_amount >= previous:
            problems.append(_("“%(label)s”的起点应低于排在它前面的同口径梯队。") % {"label": t.label})
        last_by_metric[t.metric] = t.min_amount
    if weak_line < 0 or shell_line < 0:
        problems.append(_("薄弱村线和空壳村线不能为负数。"))
    if weak_metric == shell_metric and shell_line > weak_line:
        problems.append(_("空壳村线不应高于薄弱村线（空壳村是薄弱村中最弱的）。"))
    if problems:
        raise TierSettingsError(_("；").join(dict.fromkeys(problems)))
    with transaction.atomic():
        scheme, _created = TierScheme.objects.select_for_update().get_or_create(county=county)
        scheme.weak_metric, scheme.weak_line = weak_metric, weak_line
        scheme.shell_metric, scheme.shell_line = shell_metric, shell_line
        scheme.updated_by = actor if getattr(actor, "pk", None) else None
        scheme.save()
        scheme.thresholds.all().delete()
        TierThreshold.objects.bulk_create([
            TierThreshold(scheme=scheme, position=i, label=label, metric=t.metric, min_amount=t.min_amount)
            for i, (label, t) in enumerate(zip(labels, thresholds, strict=True), start=1)
        ])
    return scheme
