"""A county's API tokens: made and revoked by its officials (the tokens page), checked on every API call.

The key is 32 random bytes shown once, when made; only its SHA-256 is kept (a key of that entropy
needs no slow hash: nobody guesses 2^256), so a leaked database reveals no usable key.
"""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ledger.text import clean_text
from villages.models import County
from villages.validators import has_visible_text

from ..models import ApiToken

KEY_PREFIX = "cj_"
# The last use is written at most this often, so a screen asking every minute writes once a minute.
TOUCH_EVERY = timedelta(minutes=1)


class TokenError(Exception):
    """What the rules refuse; the message is shown as it is (Chinese)."""


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(*, county: County, name: str, actor=None) -> tuple[ApiToken, str]:
    """A new token of `county`, and its key (shown once: it cannot be read back)."""
    name = clean_text(name)
    if not has_visible_text(name):
        raise TokenError(_("请填写令牌用途（例如：大厅大屏）。"))
    if len(name) > 50:
        raise TokenError(_("用途最多50字。"))
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(county=county, name=name, key_prefix=key[:10], key_hash=_hash(key),
                                        created_by=actor if getattr(actor, "pk", None) else None)
    return token, key


def api_token_revoke(*, token: ApiToken, actor=None) -> ApiToken:
    """Revoke `token` at once: the next call with it is refused. A revoked token stays listed."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.revoked_by = actor if getattr(actor, "pk", None) else None
            token.save(update_fields=["revoked_at", "revoked_by"])
    return token


def api_token_authenticate(*, key: str) -> ApiToken | None:
    """The active token whose key this is (its county loaded), or None; notes when it was last used."""
    if not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    # The primary, not the replica: a revoked token is refused at once.
    token = ApiToken.objects.using("default").select_related("county").filter(key_hash=_hash(key), revoked_at__isnull=True).first()
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or token.last_used_at < now - TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
