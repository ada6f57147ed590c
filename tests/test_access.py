import pytest
from django.http import Http404

from villages import access


def names(qs):
    return sorted(v.name for v in qs)


def test_town_users_see_only_their_towns_villages(people, world):
    assert names(access.visible_villages(people["alice"])) == ["八桥村", "幸福村", "长胜村"]
    assert names(access.visible_villages(people["erin"])) == ["新坝村"]


def test_county_users_see_their_county_only(people):
    assert names(access.visible_villages(people["carol"])) == ["八桥村", "幸福村", "新坝村", "长胜村"]
    assert names(access.visible_towns(people["dave"])) == ["八桥镇", "新坝镇"]


def test_outsiders_and_anonymous_see_nothing(people, world):
    from django.contrib.auth.models import AnonymousUser

    assert not access.visible_villages(people["nobody"]).exists()
    assert not access.visible_villages(AnonymousUser()).exists()
    assert access.visible_villages(people["admin"]).count() == 5


def test_asking_for_a_village_out_of_scope_is_404(people, world):
    songzhai = world["villages"]["宋寨村"]
    assert access.get_village_for_user(people["oscar"], pk=songzhai.pk) == songzhai
    for who in ("alice", "carol", "nobody"):
        with pytest.raises(Http404):
            access.get_village_for_user(people[who], pk=songzhai.pk)
    with pytest.raises(Http404):
        access.get_village_for_user(people["alice"], pk="not-a-number")
