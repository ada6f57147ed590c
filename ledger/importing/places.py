"""Which town and village a row of a file means: by 12-digit code or by name, within the importer's scope."""

import re

from django.db.models import QuerySet

from villages.models import FormerDivisionCode, Town, Village
from villages.selectors import TownNotFound, town_by_code_or_name

from ..spreadsheets import restore_neutralized
from .cells import clean_text

# What people add to a village's name or leave off (长胜 / 长胜村 / 长胜村民委员会), longest first.
VILLAGE_SUFFIXES = ("村民委员会", "居民委员会", "社区居委会", "村委会", "居委会", "委员会", "村")


def village_base(name: str) -> str:
    name = re.sub(r"\s+", "", clean_text(name))
    for suffix in VILLAGE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


class Places:
    """The towns and villages an import may write to, matched by 12-digit code or by name.

    Villages are matched in memory (a file names thousands); towns through
    `villages.selectors.town_by_code_or_name` within the scope, once per distinct text.
    """

    def __init__(self, villages, towns: QuerySet[Town]):
        self.by_code: dict[str, Village] = {}
        self.by_town_name: dict[tuple[int, str], list[Village]] = {}
        self.by_name: dict[str, list[Village]] = {}
        for village in villages:
            self.by_code[village.code] = village
            base = village_base(village.name)
            self.by_town_name.setdefault((village.town_id, base), []).append(village)
            self.by_name.setdefault(base, []).append(village)
        # Codes and names from before a 区划调整: old ledgers still name villages by them. A code
        # in use today means today's village.
        self.former: dict[str, tuple[Village, str]] = {}
        by_pk = {village.pk: village for village in self.by_code.values()}
        # (The table holds only villages that changed: read it whole, keep those in scope.)
        for village_id, code, name in FormerDivisionCode.objects.filter(village__isnull=False).order_by(
                "changed_at", "pk").values_list("village_id", "code", "name"):
            if village_id in by_pk and code not in self.by_code:
                self.former[code] = (by_pk[village_id], name)
        self.town_scope = towns
        self.towns = list(towns)
        self._towns: dict[str, tuple[Town | None, str]] = {}
        self._cache: dict = {}

    def town(self, text: str) -> tuple[Town | None, str]:
        """The town a cell names, or None and why not."""
        text = restore_neutralized(clean_text(text))
        if not text:
            return None, ""
        if text not in self._towns:
            try:
                self._towns[text] = town_by_code_or_name(text, towns=self.town_scope), ""
            except TownNotFound as exc:
                self._towns[text] = self._former_town(text) or (None, exc.message)
        return self._towns[text]

    def _former_town(self, text: str) -> tuple[Town, str] | None:
        """A town named by the code it had before a 区划调整."""
        if not text.isdigit():
            return None
        former = (FormerDivisionCode.objects.filter(code=text.ljust(12, "0")[:12], town__in=self.town_scope)
                  .select_related("town").order_by("-changed_at").first())
        return (former.town, "") if former else None

    def town_in_text(self, text: str) -> Town | None:
        """A town named in a title such as “八桥镇2023年村级集体经济收益分配表”."""
        hits = {t.pk: t for t in self.towns if t.name in text}
        return next(iter(hits.values())) if len(hits) == 1 else None

    def village(self, code_text, name_text, town: Town | None) -> tuple[Village | None, str]:
        """The village a row names by code and/or name (within `town` if known), or None and why not."""
        key = (code_text, name_text, town.pk if town else None)
        if key not in self._cache:
            self._cache[key] = self._village(code_text, name_text, town)
        return self._cache[key]

    def _village(self, code_text, name_text, town: Town | None) -> tuple[Village | None, str]:
        code = clean_text(code_text).replace(" ", "")
        name = restore_neutralized(clean_text(name_text))
        if code:
            if not re.fullmatch(r"\d{12}", code):
                return None, "区划代码应为 12 位数字"
            village = self.by_code.get(code)
            names = {village_base(village.name)} if village is not None else set()
            if village is None and code in self.former:  # a code from before a 区划调整
                village, former_name = self.former[code]
                names = {village_base(village.name), village_base(former_name)}
            if village is None:
                return None, f"没有代码为 {code} 的村（或不在您的管辖范围内）"
            if town is not None and village.town_id != town.pk:
                return None, f"代码 {code} 的村不属于{town.name}"
            if name and village_base(name) not in names:
                return None, f"代码 {code} 是“{village.name}”，与村名“{name}”不符"
            return village, ""
        if not name:
            return None, "缺少村名或区划代码"
        base = village_base(name)
        if town is not None:
            found = self.by_town_name.get((town.pk, base), [])
            if not found:
                return None, f"{town.name}没有名为“{name}”的村"
        else:
            found = self.by_name.get(base, [])
            if not found:
                return None, f"找不到名为“{name}”的村（或不在您的管辖范围内）"
            if len(found) > 1:
                towns = "、".join(sorted({v.town.name for v in found}))
                return None, f"多个乡镇都有“{name}”（{towns}），请指定乡镇或使用区划代码"
        if len(found) > 1:
            return None, f"有多个村名为“{name}”，请使用区划代码"
        return found[0], ""
