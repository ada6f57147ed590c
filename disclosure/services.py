"""The one write of the disclosure app: a county turns 财务公开 on or off."""

from django.db import transaction
from django.utils import timezone

from villages.models import County

from .models import DisclosureSetting


def disclosure_set(*, county: County, enabled: bool, actor=None) -> DisclosureSetting:
    """Turn the county's public pages on or off. Turning on (again) starts the publication time anew;
    role checks belong to the caller (`disclosure.access.may_manage`)."""
    with transaction.atomic():
        setting, _ = DisclosureSetting.objects.select_for_update().get_or_create(county=county)
        if setting.enabled != enabled or (enabled and setting.enabled_at is None):
            setting.enabled = enabled
            if enabled:
                setting.enabled_at = timezone.now()
        setting.updated_by = actor if getattr(actor, "pk", None) else None
        setting.save()
    return setting
