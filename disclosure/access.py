"""Who may turn a county's 财务公开 on or off: its county officials and administrators."""

from villages.access import get_county_for_user, role_of
from villages.models import County, UserRole


def may_manage(user) -> bool:
    role = role_of(user)
    return role is not None and role.role in (UserRole.Role.OFFICIAL, UserRole.Role.ADMIN) and not role.town_id


def get_county_to_manage(user, *, code: str) -> County:
    """The county with that division code, if the user may manage it; 404 otherwise."""
    return get_county_for_user(user, code=code)
