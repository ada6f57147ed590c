"""A county's tier rules in memory, and the same rules as SQL conditions for grouped counts.

Counties may draw their lines differently, so a scope over several counties groups its counties by
identical rules: usually one group (everyone on the defaults), so the SQL stays small.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext

from ledger.figures import FIGURE_NAMES
from ledger.money import YUAN_PER_WAN

from .models import DEFAULT_SHELL, DEFAULT_THRESHOLDS, DEFAULT_WEAK, TierScheme


def below_tiers() -> str:
    """The label of villages under every tier line, in the page's language (a filter value as well)."""
    return gettext("未达梯队")


def _wan(amount: Decimal) -> str:
    return f"{amount / YUAN_PER_WAN:g}"


@dataclass(frozen=True)
class Tier:
    position: int
    label: str
    metric: str
    min_amount: Decimal

    @property
    def q(self) -> Q:
        return Q(**{f"{self.metric}__gte": self.min_amount})

    @property
    def description(self) -> str:
        return gettext("%(figure)s ≥ %(amount)s 万元") % {"figure": FIGURE_NAMES[self.metric],
                                                          "amount": _wan(self.min_amount)}


@dataclass(frozen=True)
class Rules:
    tiers: tuple[Tier, ...]
    weak_metric: str
    weak_line: Decimal
    shell_metric: str
    shell_line: Decimal

    @classmethod
    def default(cls) -> "Rules":
        return cls(
            tiers=tuple(Tier(i, label, metric, amount) for i, (label, metric, amount) in
                        enumerate(DEFAULT_THRESHOLDS, start=1)),
            weak_metric=DEFAULT_WEAK[0], weak_line=DEFAULT_WEAK[1],
            shell_metric=DEFAULT_SHELL[0], shell_line=DEFAULT_SHELL[1],
        )

    @classmethod
    def of(cls, scheme: TierScheme) -> "Rules":
        """From a scheme whose thresholds were prefetched."""
        return cls(
            tiers=tuple(Tier(t.position, t.label, t.metric, t.min_amount)
                        for t in sorted(scheme.thresholds.all(), key=lambda t: t.position)),
            weak_metric=scheme.weak_metric, weak_line=scheme.weak_line,
            shell_metric=scheme.shell_metric, shell_line=scheme.shell_line,
        )

    @property
    def weak_description(self) -> str:
        return gettext("%(figure)s < %(amount)s 万元") % {"figure": FIGURE_NAMES[self.weak_metric],
                                                          "amount": _wan(self.weak_line)}

    @property
    def shell_description(self) -> str:
        return gettext("%(figure)s < %(amount)s 万元") % {"figure": FIGURE_NAMES[self.shell_metric],
                                                          "amount": _wan(self.shell_line)}

    @property
    def metrics(self) -> set[str]:
        return {t.metric for t in self.tiers} | {self.weak_metric, self.shell_metric}

    def tier_of(self, figures: Mapping[str, Decimal]) -> str:
        for tier in self.tiers:
            if figures[tier.metric] >= tier.min_amount:
                return tier.label
        return below_tiers()

    def is_weak(self, figures: Mapping[str, Decimal]) -> bool:
        return figures[self.weak_metric] < self.weak_line

    def is_shell(self, figures: Mapping[str, Decimal]) -> bool:
        return figures[self.shell_metric] < self.shell_line

    # SQL conditions on LedgerYear rows -------------------------------------------------------------
    def band_q(self, position: int) -> Q | None:
        """Rows whose tier is exactly the tier at `position` (reached it, and no tier above it)."""
        q = None
        for tier in self.tiers:
            if tier.position == position:
                q = tier.q if q is None else q & tier.q
                return q
            q = ~tier.q if q is None else q & ~tier.q
        return None

    def label_q(self, label: str) -> Q | None:
        """Rows in the tier called `label` (or below every tier); None if these rules have no such tier."""
        if label == below_tiers():
            return self.below_q()
        return next((self.band_q(t.position) for t in self.tiers if t.label == label), None)

    def below_q(self) -> Q:
        q = Q()
        for tier in self.tiers:
            q &= ~tier.q
        return q

    def line_q(self, position: int) -> Q | None:
        """Rows over the line of the tier at `position` (a share over a line, whatever their band)."""
        return next((t.q for t in self.tiers if t.position == position), None)

    def weak_q(self) -> Q:
        return Q(**{f"{self.weak_metric}__lt": self.weak_line})

    def shell_q(self) -> Q:
        return Q(**{f"{self.shell_metric}__lt": self.shell_line})


@dataclass(frozen=True)
class ScopeRules:
    """The rules of every county in a scope (missing schemes mean the defaults)."""

    by_county: Mapping[int, Rules]
    fallback: Rules
    # False when the scope is "every county" and `by_county` holds only the saved schemes.
    complete: bool = True

    def for_county(self, county_id: int) -> Rules:
        return self.by_county.get(county_id, self.fallback)

    @property
    def main(self) -> Rules:
        """The rules whose labels headline tables: the only county's, or the most common."""
        if not self.by_county:
            return self.fallback
        values = list(self.by_county.values())
        return max(values, key=values.count)

    @property
    def labels(self) -> list[str]:
        labels = [t.label for t in self.main.tiers]
        for rules in self.by_county.values():
            labels += [t.label for t in rules.tiers if t.label not in labels]
        return [*labels, below_tiers()]

    def q(self, make: Callable[[Rules], Q | None]) -> Q | None:
        """One condition for the whole scope: per group of counties with the same rules,
        `county IN (…) AND make(rules)`. None when no row can match."""
        custom: dict[Rules, list[int]] = {}
        for county_id, rules in self.by_county.items():
            if self.complete or rules != self.fallback:
                custom.setdefault(rules, []).append(county_id)
        if self.complete and len(custom) == 1:
            (rules,) = custom
            return make(rules)
        parts = []
        for rules, county_ids in custom.items():
            cond = make(rules)
            if cond is not None:
                parts.append(Q(county_id__in=county_ids) & cond)
        if not self.complete:
            # Every other county of the scope runs on the fallback rules.
            cond = make(self.fallback)
            others = [c for ids in custom.values() for c in ids]
            if cond is not None:
                parts.append(~Q(county_id__in=others) & cond if others else cond)
        if not parts:
            return None
        combined = parts[0]
        for part in parts[1:]:
            combined |= part
        return combined


def scope_rules(county_ids: Iterable[int] | None) -> ScopeRules:
    """The rules of the given counties (None: all counties) in two queries."""
    schemes = TierScheme.objects.prefetch_related("thresholds")
    if county_ids is not None:
        county_ids = list(county_ids)
        schemes = schemes.filter(county_id__in=county_ids)
    found = {s.county_id: Rules.of(s) for s in schemes}
    fallback = Rules.default()
    if county_ids is not None:
        found = {c: found.get(c, fallback) for c in county_ids}
    return ScopeRules(by_county=found, fallback=fallback, complete=county_ids is not None)
