"""Published 比拼晾晒 issues: a league table the county publishes as "2025 年第 3 期", frozen when published.

- `issue_preview` builds the rows an issue would hold, from the same selectors as the league-table pages
  (`selectors.village_ranking`, `selectors.unit_table`), with the rank in the previous issue of the same
  table, and a digest of them;
- `issue_publish` is the one write: it builds the rows again, refuses if they are no longer what the
  official confirmed (the digest), numbers the issue within its county and year and stores every row;
- `visible_issues` / `get_issue_for_user` say who may see an issue: the dashboards' scope rules (a user
  whose scope includes the issue's scope; 404 for anyone else).

Only approved figures are published.
"""

import hashlib
import json
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from ledger.figures import FIGURE_NAMES, RANKING_FIGURES
from ledger.text import clean_text
from villages.access import role_of
from villages.models import County, Town, UserRole
from villages.validators import has_visible_text

from . import selectors
from .models import IssueRow, LeagueIssue
from .rules import scope_rules

# How a town table may be ranked (keys of selectors.UNIT_SORTS); village tables rank by the figure.
TOWN_SORTS = ("mean", "total", "median", "growth")
VILLAGE_SORT = "value"


class IssueError(Exception):
    """What the rules refuse; the message is shown to the official as it is (Chinese)."""


@dataclass(frozen=True)
class IssueSpec:
    """Which table an issue publishes: the county, the scope within it, the table, figure, sort and year."""

    county: County
    town: Town | None
    table: str
    metric: str
    sort: str
    year: int

    @property
    def scope(self) -> selectors.Scope:
        return selectors.Scope(county=self.county, town=self.town)

    def check(self) -> None:
        problems = []
        if self.table not in LeagueIssue.Table.values:
            problems.append(_("请选择榜单。"))
        if self.metric not in RANKING_FIGURES:
            problems.append(_("请选择排名指标。"))
        if self.table == LeagueIssue.Table.TOWNS and self.sort not in TOWN_SORTS:
            problems.append(_("请选择镇比拼的排序方式。"))
        if self.table == LeagueIssue.Table.VILLAGES and self.sort != VILLAGE_SORT:
            problems.append(_("村排名按所选指标排序。"))
        if self.town is not None and self.town.county_id != self.county.pk:
            problems.append(_("所选乡镇不属于%(county)s。") % {"county": self.county.name})
        if self.table == LeagueIssue.Table.TOWNS and self.town is not None:
            problems.append(_("镇比拼晾晒的范围是全县，不能只选一个乡镇。"))
        if problems:
            raise IssueError("".join(problems))


@dataclass
class IssuePreview:
    spec: IssueSpec
    rows: list[IssueRow]  # not saved
    tier_labels: list[str]
    previous: LeagueIssue | None
    digest: str


def previous_issue(*, spec: IssueSpec) -> LeagueIssue | None:
    """The latest issue of the same table: county, scope, table, figure and sort (any data year)."""
    return (LeagueIssue.objects.filter(county=spec.county, town=spec.town, table=spec.table, metric=spec.metric,
                                       sort=spec.sort)
            .order_by("-published_at", "-pk").first())


def _digest(rows: list[IssueRow], tier_labels: list[str]) -> str:
    fields = [f.attname for f in IssueRow._meta.concrete_fields if f.attname not in ("id", "issue_id")]
    data = [tier_labels, *([str(getattr(row, name)) for name in fields] for row in rows)]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


def issue_preview(*, spec: IssueSpec) -> IssuePreview:
    """The rows an issue of `spec` would hold now (approved figures only), unsaved (4–5 queries)."""
    spec.check()
    rules = scope_rules([spec.county.pk])
    previous = previous_issue(spec=spec)
    kwargs = {"scope": spec.scope, "year": spec.year, "year_statuses": selectors.APPROVED, "metric": spec.metric,
              "rules": rules}
    rows: list[IssueRow] = []
    if spec.table == LeagueIssue.Table.VILLAGES:
        earlier = dict(previous.rows.values_list("village_id", "rank")) if previous else {}
        for position, r in enumerate(selectors.village_ranking(**kwargs), start=1):
            rows.append(IssueRow(
                position=position, rank=r.rank, village_id=r.village_id, town_id=r.town_id, name=r.name, code=r.code,
                parent_name=r.town_name, value=r.value, previous_value=r.previous_value, growth=r.growth,
                previous_year_rank=r.previous_rank, previous_issue_rank=earlier.get(r.village_id), tier=r.tier,
                weak=int(r.weak), shell=int(r.shell)))
        tier_labels = rules.labels
    else:
        earlier = dict(previous.rows.values_list("town_id", "rank")) if previous else {}
        towns = selectors.unit_table(**kwargs, by="town", sort=spec.sort)
        previous_ranks = _previous_year_ranks(spec=spec, rules=rules)
        for position, r in enumerate(towns, start=1):
            rows.append(IssueRow(
                position=position, rank=r.rank, town_id=r.pk, name=r.name, code=r.code, value=r.total,
                previous_value=r.previous_total, growth=r.growth, previous_year_rank=previous_ranks.get(r.pk),
                previous_issue_rank=earlier.get(r.pk), weak=r.weak, shell=r.shell, villages=r.villages, mean=r.mean,
                median=r.median, highest=r.highest, mean_growth=r.mean_growth,
                over_line_shares=[None if s is None else str(s) for s in r.over_line_shares]))
        tier_labels = [t.label for t in rules.main.tiers]
    return IssuePreview(spec=spec, rows=rows, tier_labels=tier_labels, previous=previous,
                        digest=_digest(rows, tier_labels))


def _previous_year_ranks(*, spec: IssueSpec, rules) -> dict[int, int]:
    """Each town's rank by the same sort a year earlier (the town table's selector, for that year)."""
    rows = selectors.unit_table(scope=spec.scope, year=spec.year - 1, year_statuses=selectors.APPROVED,
                                metric=spec.metric, rules=rules, by="town", sort=spec.sort)
    return {r.pk: r.rank for r in rows}


def default_title(spec: IssueSpec) -> str:
    figure = FIGURE_NAMES.get(spec.metric, "")
    if spec.table == LeagueIssue.Table.TOWNS:
        return _("%(year)s年度各镇（街道）村均%(figure)s比拼晾晒") % {"year": spec.year, "figure": figure}
    place = spec.town.name if spec.town else ""
    return _("%(year)s年度%(place)s各村%(figure)s比拼晾晒") % {"year": spec.year, "place": place, "figure": figure}


def issue_publish(*, spec: IssueSpec, title: str, issuing_unit: str, note: str = "", digest: str,
                  actor=None) -> LeagueIssue:
    """Publish `spec`'s table as the county's next numbered issue of this year, its rows stored as they are.

    `digest` is the one of the preview the official confirmed: if the figures changed since (a year
    approved or reopened meanwhile), nothing is published and the official looks again.
    """
    title, issuing_unit, note = clean_text(title).strip(), clean_text(issuing_unit).strip(), clean_text(note).strip()
    problems = []
    if not has_visible_text(title):
        problems.append(_("请填写标题。"))
    if not has_visible_text(issuing_unit):
        problems.append(_("请填写发布单位。"))
    if len(title) > 100 or len(issuing_unit) > 60 or len(note) > 500:
        problems.append(_("标题最多100字，发布单位最多60字，说明最多500字。"))
    if problems:
        raise IssueError("".join(problems))
    with transaction.atomic():
        # One publisher at a time per county: the number is the county's next of the year.
        County.objects.select_for_update().get(pk=spec.county.pk)
        preview = issue_preview(spec=spec)
        if not preview.rows:
            raise IssueError(_("%(year)s年没有已审核的数据，不能发布。") % {"year": spec.year})
        if preview.digest != digest:
            raise IssueError(_("预览之后数据有变化（有村的年度刚审核或退回），请重新核对后再发布。"))
        now = timezone.now()
        issue_year = timezone.localdate(now).year
        last = LeagueIssue.objects.filter(county=spec.county, issue_year=issue_year).aggregate(n=Max("number"))["n"]
        issue = LeagueIssue.objects.create(
            county=spec.county, town=spec.town, table=spec.table, metric=spec.metric, sort=spec.sort, year=spec.year,
            issue_year=issue_year, number=(last or 0) + 1, title=title, issuing_unit=issuing_unit, note=note,
            tier_labels=preview.tier_labels, previous_issue=preview.previous, published_at=now,
            published_by=actor if getattr(actor, "pk", None) else None)
        for row in preview.rows:
            row.issue = issue
        IssueRow.objects.bulk_create(preview.rows)
    return issue


# Who may see and publish --------------------------------------------------------------------------------

def visible_issues(user) -> QuerySet[LeagueIssue]:
    """The issues whose scope lies within the user's: their town's, their county's, or all."""
    role = role_of(user)
    issues = LeagueIssue.objects.select_related("county", "town")
    if role is None:
        return issues.none()
    if role.town_id:
        return issues.filter(town_id=role.town_id)
    if role.role == UserRole.Role.ADMIN and role.county_id is None:
        return issues
    return issues.filter(county_id=role.county_id)


def get_issue_for_user(user, **lookup) -> LeagueIssue:
    try:
        return visible_issues(user).get(**lookup)
    except (LeagueIssue.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("未找到，或您无权访问。")) from exc


def can_publish(user) -> bool:
    """County officials (and administrators) publish; town users and staff read."""
    role = role_of(user)
    return role is not None and role.role in (UserRole.Role.OFFICIAL, UserRole.Role.ADMIN) and not role.town_id
