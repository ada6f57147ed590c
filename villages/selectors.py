"""Reads of the map that commands and the import share."""

import re
import unicodedata

from django.db.models import QuerySet

from .models import County, Town

# What people add to a town's name or leave off (八桥 / 八桥镇 / 八桥镇人民政府), longest first.
TOWN_SUFFIXES = ("人民政府", "街道办事处", "街道", "镇", "乡")
COUNTY_SUFFIXES = ("人民政府", "自治县", "县", "市", "区")


class TownNotFound(LookupError):
    """No town, or more than one, answers to the text; the message says which, in Chinese."""

    def __init__(self, text: str, *, by_code: bool = False, ambiguous: bool = False, scoped: bool = False):
        self.text, self.by_code, self.ambiguous = text, by_code, ambiguous
        if ambiguous:
            message = f"有多个乡镇名为“{text}”，请使用乡镇的区划代码"
        elif by_code:
            message = f"没有代码为 {text} 的乡镇"
        else:
            message = f"找不到乡镇“{text}”"
        if scoped and not ambiguous:  # the town may exist, outside what the user may write to
            message += "（或不在您的管辖范围内）"
        self.message = message
        super().__init__(message)


def town_base(name: str) -> str:
    """A town's name without spaces and without the suffix people may leave off: 八桥镇 → 八桥."""
    name = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))
    for suffix in TOWN_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def town_by_code_or_name(text: str, *, towns: QuerySet[Town] | None = None) -> Town:
    """The town that `text` names: a 9- or 12-digit division code, or its name with or without the
    suffix (八桥, 八桥镇; a town's full name first). `towns` limits the search to a scope (an
    import's); `TownNotFound` if no town answers, or several do."""
    text = unicodedata.normalize("NFKC", text).strip()
    scoped = towns is not None
    candidates = Town.objects.all() if towns is None else towns
    if text.isdigit():
        town = candidates.filter(code=text.ljust(12, "0")[:12]).first()
        if town is None:
            raise TownNotFound(text, by_code=True, scoped=scoped)
        return town
    bases = {text, town_base(text)}
    names = bases | {base + suffix for base in bases for suffix in TOWN_SUFFIXES}
    matches = list(candidates.filter(name__in=names))
    exact = [town for town in matches if town.name == text]
    if len(exact) == 1:  # 八桥镇 is 八桥镇, even where an 八桥乡 exists too
        return exact[0]
    found = {town.pk: town for town in matches if town.name in bases or town_base(town.name) in bases}
    if len(found) > 1:
        raise TownNotFound(text, ambiguous=True, scoped=scoped)
    if not found:
        raise TownNotFound(text, scoped=scoped)
    return next(iter(found.values()))


class CountyNotFound(LookupError):
    """No county, or more than one, answers to the text; the message says which, in Chinese."""

    def __init__(self, text: str, *, by_code: bool = False, ambiguous: bool = False):
        if ambiguous:
            message = f"有多个县（市、区）名为“{text}”，请使用县的区划代码"
        elif by_code:
            message = f"没有代码为 {text} 的县（市、区）"
        else:
            message = f"找不到县（市、区）“{text}”"
        self.message = message
        super().__init__(message)


def county_base(name: str) -> str:
    """A county's name without spaces and the suffix people may leave off: 扬中市 → 扬中."""
    name = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))
    for suffix in COUNTY_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def county_by_code_or_name(text: str, *, counties: QuerySet[County] | None = None) -> County:
    """The county that `text` names: its 6- or 12-digit division code, or its name with or without the
    suffix (扬中, 扬中市), as `town_by_code_or_name` reads towns. `CountyNotFound` if none or several answer."""
    text = unicodedata.normalize("NFKC", text).strip()
    candidates = County.objects.all() if counties is None else counties
    if text.isdigit():
        county = candidates.filter(code=text.ljust(12, "0")[:12]).first() if len(text) in (6, 12) else None
        if county is None:
            raise CountyNotFound(text, by_code=True)
        return county
    exact = list(candidates.filter(name=text))
    if len(exact) == 1:
        return exact[0]
    base = county_base(text)
    found = [county for county in candidates.filter(name__startswith=base) if county_base(county.name) == base]
    if len(found) > 1:
        raise CountyNotFound(text, ambiguous=True)
    if not found:
        raise CountyNotFound(text)
    return found[0]
