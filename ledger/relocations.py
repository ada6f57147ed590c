"""区划调整: moving, merging, renaming and recoding villages and towns, with every copy kept true.

A village-year keeps its village's town and county (`LedgerYear.town`/`county`, so that league
tables are one indexed scan); enterprises, party organisations and roles keep towns and counties
too. These services are the one way the admin (and anything else) changes a village's or town's
place, name or code: they update every copy with its history, and keep the old code and name as a
`FormerDivisionCode` so that ledgers written before the change still import. The services live in
the ledger app because they write ledger rows; the villages app knows nothing of them.
"""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from villages.models import (
    County,
    Enterprise,
    FormerDivisionCode,
    PartyOrganization,
    PartyOrganizationMembership,
    Town,
    UserRole,
    Village,
)

from .bulk import history_create
from .models import LedgerYear, Share
from .services import LedgerError

__all__ = ["town_change", "village_change", "village_change_problems", "village_merge", "village_merge_problems"]

Change = FormerDivisionCode.Change


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _recopy_years(years: Sequence[LedgerYear], *, actor, reason: str, **values) -> None:
    """Set the copied fields (town, county, village) of these village-years, with a history row each.
    Approved years too: the copy says where the village is, not what was approved."""
    if not years:
        return
    when = timezone.now()
    ids = [ly.pk for ly in years]
    LedgerYear.objects.filter(pk__in=ids).update(**values, updated_at=when)
    fresh = list(LedgerYear.objects.filter(pk__in=ids))
    history_create(LedgerYear, fresh, history_type="~", user_id=getattr(_user(actor), "pk", None),
                   reason=reason, when=when)


def village_change_problems(*, village: Village, town: Town | None = None, code: str | None = None,
                            name: str | None = None) -> list[str]:
    """What refuses this change of a village (empty: it may be made), in Chinese."""
    town = town or village.town
    code = code or village.code
    problems = []
    if town.pk != village.town_id and code == village.code:
        problems.append(f"调整到{town.name}须同时改为以 {town.prefix} 开头的新区划代码。")
    if not code.startswith(town.prefix):
        problems.append(f"村代码必须以所属乡镇的代码 {town.prefix} 开头。")
    if code != village.code and Village.objects.filter(code=code).exclude(pk=village.pk).exists():
        problems.append(f"区划代码 {code} 已被其他村使用。")
    if name and Village.objects.filter(town=town, name=name).exclude(pk=village.pk).exists():
        problems.append(f"{town.name}已有名为“{name}”的村。")
    return problems


def village_change(*, village: Village, town: Town | None = None, code: str | None = None,
                   name: str | None = None, actor=None, reason: str = "") -> Village:
    """Move a village to another town (调整隶属), give it a new code (改代码) or name (更名), or several
    at once. The old code and name are kept as a former code; the village-years' town and county
    copies (with history), its enterprises' town and county follow. Returns the village, up to date."""
    town = town or village.town
    code, name = code or village.code, name or village.name
    problems = village_change_problems(village=village, town=town, code=code, name=name)
    if problems:
        raise LedgerError("".join(problems))
    moved, recoded, renamed = town.pk != village.town_id, code != village.code, name != village.name
    if not (moved or recoded or renamed):
        return village
    kind = Change.MOVE if moved else Change.RECODE if recoded else Change.RENAME
    with transaction.atomic():
        current = Village.objects.select_for_update().get(pk=village.pk)
        FormerDivisionCode.objects.create(village=current, code=current.code, name=current.name, change=kind,
                                          changed_by=_user(actor), reason=reason[:200])
        current.town, current.code, current.name = town, code, name
        current.full_clean()
        current.save()
        if moved:
            note = reason or f"区划调整：{current.name} 调整到{town.name}"
            _recopy_years(list(LedgerYear.objects.filter(village=current).exclude(town=town)), actor=actor,
                          reason=note, town_id=town.pk, county_id=town.county_id)
            Enterprise.objects.filter(village=current).update(town=town, county_id=town.county_id)
    village.refresh_from_db()
    return village


def village_merge_problems(*, village: Village, into: Village) -> list[str]:
    """What refuses merging `village` into `into` (empty: it may be merged)."""
    if village.pk == into.pk:
        return ["不能把村并入它自己。"]
    problems = []
    both = sorted(set(LedgerYear.objects.filter(village=village).values_list("year", flat=True))
                  & set(LedgerYear.objects.filter(village=into).values_list("year", flat=True)))
    if both:
        problems.append(f"{village.name}和{into.name}都有 {'、'.join(map(str, both))} 年的村年度账，不能直接合并；"
                        "请先把这些年度的账合并到一个村（或删除其中一个草稿）后再撤并。")
    def stakes(holder):
        return set(Share.objects.filter(holder=holder).values_list("enterprise_id", "start_year"))

    if stakes(village) & stakes(into):
        problems.append(f"{village.name}和{into.name}在同一企业有同一起始年度的入股，请先合并这些入股。")
    return problems


def village_merge(*, village: Village, into: Village, actor=None, reason: str = "") -> Village:
    """撤并: `village` becomes part of `into`. Its village-years, shares, enterprises and party
    memberships go to `into` (the years with their town and county copies and history), its codes
    and name become former codes of `into` (old ledgers import into the merged village), and the
    village itself is removed. Refused while both have a village-year of the same year."""
    problems = village_merge_problems(village=village, into=into)
    if problems:
        raise LedgerError("".join(problems))
    with transaction.atomic():
        absorbed = Village.objects.select_for_update().get(pk=village.pk)
        note = reason or f"区划调整：{absorbed.name}并入{into.name}"
        _recopy_years(list(LedgerYear.objects.filter(village=absorbed)), actor=actor, reason=note,
                      village_id=into.pk, town_id=into.town_id, county_id=into.town.county_id)
        Share.objects.filter(holder=absorbed).update(holder=into)
        Enterprise.objects.filter(village=absorbed).update(village=into, town=into.town, county=into.town.county)
        already = PartyOrganizationMembership.objects.filter(village=into).values("organization")
        PartyOrganizationMembership.objects.filter(village=absorbed, organization__in=already).delete()
        PartyOrganizationMembership.objects.filter(village=absorbed).update(village=into)
        FormerDivisionCode.objects.filter(village=absorbed).update(village=into)
        FormerDivisionCode.objects.create(village=into, code=absorbed.code, name=absorbed.name, change=Change.MERGE,
                                          changed_by=_user(actor), reason=note[:200])
        absorbed.delete()
    into.refresh_from_db()
    return into


def town_change(*, town: Town, code: str | None = None, name: str | None = None, county: County | None = None,
                actor=None, reason: str = "") -> Town:
    """Rename a town, give it a new code, or move it to another county (which needs a new code).

    A new code gives each of its villages a new code too (the town's 9 digits, then the village's
    own 3), each old code kept as a former code; a new county follows into every copy (village-years
    with history, enterprises, party organisations, roles)."""
    county = county or town.county
    code, name = code or town.code, name or town.name
    if county.pk != town.county_id and code == town.code:
        raise LedgerError(f"调整到{county.name}须同时改为以 {county.prefix} 开头的新乡镇代码。")
    if not code.startswith(county.prefix):
        raise LedgerError(f"乡镇代码必须以所属县的代码 {county.prefix} 开头。")
    if code != town.code and Town.objects.filter(code=code).exclude(pk=town.pk).exists():
        raise LedgerError(f"区划代码 {code} 已被其他乡镇使用。")
    recoded, moved = code != town.code, county.pk != town.county_id
    if not (recoded or moved or name != town.name):
        return town
    with transaction.atomic():
        current = Town.objects.select_for_update().get(pk=town.pk)
        kind = Change.MOVE if moved else Change.RECODE if recoded else Change.RENAME
        FormerDivisionCode.objects.create(town=current, code=current.code, name=current.name, change=kind,
                                          changed_by=_user(actor), reason=reason[:200])
        old_prefix = current.prefix
        current.code, current.name, current.county = code, name, county
        current.full_clean()
        current.save()
        if recoded:
            villages = list(Village.objects.select_for_update().filter(town=current))
            new_codes = {v.pk: current.prefix + v.code[len(old_prefix):] for v in villages}
            taken = Village.objects.filter(code__in=new_codes.values()).exclude(town=current)
            if taken.exists():
                raise LedgerError(f"新代码与其他村的代码重复：{'、'.join(taken.values_list('code', flat=True)[:20])}。")
            FormerDivisionCode.objects.bulk_create([
                FormerDivisionCode(village=v, code=v.code, name=v.name, change=Change.RECODE,
                                   changed_by=_user(actor), reason=(reason or f"{current.name}改代码")[:200])
                for v in villages])
            # Old and new codes differ in the town's digits, so no two of them can swap.
            for village in villages:
                Village.objects.filter(pk=village.pk).update(code=new_codes[village.pk])
        if moved:
            note = reason or f"区划调整：{current.name} 调整到{county.name}"
            _recopy_years(list(LedgerYear.objects.filter(town=current)), actor=actor, reason=note,
                          county_id=county.pk)
            Enterprise.objects.filter(town=current).update(county=county)
            PartyOrganization.objects.filter(town=current).update(county=county)
            UserRole.objects.filter(town=current).update(county=county)
    town.refresh_from_db()
    return town
