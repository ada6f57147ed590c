"""Production: PostgreSQL, a real secret key, secure cookies. Refuses to start without them."""

from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, INSECURE_DEV_SECRET_KEY, SECRET_KEY, env, env_bool, env_int

# The rule of `manage.py check --deploy` (security.W009), so a key that starts is a key the check passes:
# at least 50 characters, at least 5 different ones, not Django's generated development key.
if (not SECRET_KEY or SECRET_KEY == INSECURE_DEV_SECRET_KEY or len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH
        or len(set(SECRET_KEY)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
        or SECRET_KEY.startswith(SECRET_KEY_INSECURE_PREFIX)):
    raise ImproperlyConfigured(
        f"生产环境必须设置 SECRET_KEY：至少 {SECRET_KEY_MIN_LENGTH} 个随机字符、至少"
        f" {SECRET_KEY_MIN_UNIQUE_CHARACTERS} 种不同字符，且不以 {SECRET_KEY_INSECURE_PREFIX} 开头。"
        f" Production needs a real SECRET_KEY ({SECRET_KEY_MIN_LENGTH}+ random characters, as check --deploy asks)."
    )
if not env("DATABASE_URL") or DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    raise ImproperlyConfigured(
        "生产环境必须通过 DATABASE_URL 使用 PostgreSQL。 Production needs DATABASE_URL pointing at PostgreSQL."
    )

DEBUG = False
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = True

WHITENOISE_USE_FINDERS = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Compressed, with content hashes in the names, so browsers may cache them for a year.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
