"""Party organisations and clusters spanning villages (区域党委, 联合党委, 党建联盟, 组团), ranked by the
sum or the per-village mean of their villages' figure."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, Sum

from ledger.figures import FIGURE_NAMES
from villages.models import PartyOrganization

from .scope import ZERO, Scope, growth_pct, mean, rank_in_place

ORGANIZATION_SORTS = ("total", "mean")


@dataclass
class OrganizationRow:
    pk: int
    name: str
    kind: str
    industry: str
    members: int
    reporting: int
    total: Decimal
    previous_total: Decimal | None
    rank: int = 0

    @property
    def mean(self) -> Decimal | None:
        return mean(self.total, self.reporting)

    @property
    def growth(self) -> Decimal | None:
        return growth_pct(self.total, self.previous_total)


def organization_ranking(*, scope: Scope, year: int, year_statuses: Sequence[str], metric: str,
                         kinds: Sequence[str] = PartyOrganization.SPANNING_KINDS, sort: str = "total"
                         ) -> list[OrganizationRow]:
    """Organisations spanning villages, ranked by the sum or the per-village mean of their villages (2 queries).

    Only villages inside the scope count, so a town user never sees other towns' figures.
    """
    assert metric in FIGURE_NAMES and sort in ORGANIZATION_SORTS
    organizations = PartyOrganization.objects.filter(kind__in=kinds)
    if scope.town:
        organizations = organizations.filter(Q(town=scope.town) | Q(villages__town=scope.town)).distinct()
    elif scope.county:
        organizations = organizations.filter(county=scope.county)
    organizations = list(organizations.annotate(members=Count("memberships", distinct=True))
                         .values("pk", "name", "kind", "industry", "members"))
    figures = {
        r["org"]: r for r in scope.ledger_years(year_statuses).filter(
            year__in=[year, year - 1],
            village__party_memberships__organization_id__in=[o["pk"] for o in organizations],
        ).order_by().values(org=F("village__party_memberships__organization_id")).annotate(
            total=Sum(metric, filter=Q(year=year)), reporting=Count("pk", filter=Q(year=year)),
            previous_total=Sum(metric, filter=Q(year=year - 1)),
        )
    }
    kind_names = dict(PartyOrganization.Kind.choices)
    rows = []
    for o in organizations:
        f = figures.get(o["pk"], {})
        rows.append(OrganizationRow(pk=o["pk"], name=o["name"], kind=kind_names.get(o["kind"], o["kind"]),
                                    industry=o["industry"], members=o["members"], reporting=f.get("reporting", 0),
                                    total=f.get("total") or ZERO, previous_total=f.get("previous_total")))
    key = (lambda r: r.mean or ZERO) if sort == "mean" else (lambda r: r.total)
    rows.sort(key=lambda r: (-key(r), r.name))
    rank_in_place(rows, key)
    return rows
