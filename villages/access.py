"""Who may see which part of the map. Every view and service asks here; nothing else decides scope.

A user outside the scope of an object gets 404, never 403, so that its existence is not revealed.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from .models import County, Enterprise, PartyOrganization, Town, UserRole, Village


def role_of(user) -> UserRole | None:
    """The user's role, or None for anonymous users and users without one.

    Superusers without a role row act as administrators.
    """
    if not user.is_authenticated:
        return None
    try:
        return user.role
    except UserRole.DoesNotExist:
        if user.is_superuser:
            return UserRole(user=user, role=UserRole.Role.ADMIN)
        return None


def has_role(user, *roles: str) -> bool:
    role = role_of(user)
    return role is not None and role.role in roles


def _scoped(user, model, *, town_lookup: str | None, county_lookup: str) -> QuerySet:
    """`model`'s rows the user may see: by `town_lookup` for town users, by `county_lookup` for county
    users (and town users when there is no town lookup), all for an administrator without a county."""
    role = role_of(user)
    if role is None:
        return model.objects.none()
    if role.town_id and town_lookup:
        return model.objects.filter(**{town_lookup: role.town_id})
    if role.role == UserRole.Role.ADMIN and role.county_id is None:
        return model.objects.all()
    return model.objects.filter(**{county_lookup: role.county_id})


def visible_counties(user) -> QuerySet[County]:
    return _scoped(user, County, town_lookup=None, county_lookup="pk")


def visible_towns(user) -> QuerySet[Town]:
    return _scoped(user, Town, town_lookup="pk", county_lookup="county_id")


def visible_villages(user) -> QuerySet[Village]:
    return _scoped(user, Village, town_lookup="town_id", county_lookup="town__county_id")


def visible_party_organizations(user) -> QuerySet[PartyOrganization]:
    role = role_of(user)
    if role is not None and role.town_id:
        # A town user sees the organisations that touch their town's villages, and their town's own.
        return PartyOrganization.objects.filter(
            Q(villages__town_id=role.town_id) | Q(town_id=role.town_id)
        ).distinct()
    return _scoped(user, PartyOrganization, town_lookup=None, county_lookup="county_id")


def visible_enterprises(user) -> QuerySet[Enterprise]:
    return _scoped(user, Enterprise, town_lookup="town_id", county_lookup="county_id")


def visible_user_roles(user) -> QuerySet[UserRole]:
    """The roles a user's scope covers: their town's, their county's (town roles in it included), or all.

    An administrator keeps these and no others; a role outside them (or wider, like a county-wide role
    for a town administrator) is out of reach. `user_role_fits_scope` says the same of a role being made.
    """
    return _scoped(user, UserRole, town_lookup="town_id", county_lookup="county_id")


def user_role_fits_scope(user, *, county_id: int | None, town_id: int | None) -> bool:
    """Does a role over (`county_id`, `town_id`) lie within the user's own scope? No wider: a county
    administrator cannot make a role without a county (that is everything), a town one none without its town."""
    role = role_of(user)
    if role is None:
        return False
    if role.role == UserRole.Role.ADMIN and role.county_id is None and role.town_id is None:
        return True
    if role.town_id:
        return town_id == role.town_id
    return county_id is not None and county_id == role.county_id


def _get_or_404(queryset: QuerySet, **lookup):
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("未找到，或您无权访问。") from exc


def get_county_for_user(user, **lookup) -> County:
    return _get_or_404(visible_counties(user), **lookup)


def get_town_for_user(user, **lookup) -> Town:
    return _get_or_404(visible_towns(user).select_related("county"), **lookup)


def get_village_for_user(user, **lookup) -> Village:
    return _get_or_404(visible_villages(user).select_related("town__county"), **lookup)
