"""Security settings that a user or an attacker would notice."""

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse


def test_health_check_answers_ok_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_pages_send_a_content_security_policy_without_inline_scripts(client, db):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_repeated_wrong_passwords_lock_the_login(client, people):
    for _ in range(3):
        client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "alice", "password": "pw"})
    assert response.status_code == 429
    assert "登录已暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


@override_settings(AXES_ENABLED=True)
def test_a_correct_password_still_logs_in_with_throttling_on(client, people):
    response = client.post(reverse("login"), {"username": "alice", "password": "pw"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(people["alice"].pk)


@pytest.mark.parametrize("env,message", [
    ({"DATABASE_URL": "postgres://x@127.0.0.1/x"}, "SECRET_KEY"),
    ({"SECRET_KEY": "django-insecure-dev-only-do-not-use-in-production", "DATABASE_URL": "postgres://x@h/x"},
     "SECRET_KEY"),
    ({"SECRET_KEY": "kq7Zp!2xW9" * 5}, "DATABASE_URL"),  # a key that passes (was "k" * 50: one character)
])
def test_production_settings_refuse_to_start_without_a_real_secret_key_and_database(env, message):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL"}}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**clean, **env, "DJANGO_SETTINGS_MODULE": "config.settings.production"},
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert message in result.stderr


def random_key(length: int) -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(length))


@pytest.mark.parametrize("key", [
    random_key(40), random_key(49),  # what the README used to call enough
    "abcd" * 13,  # long, but only 4 different characters
    "django-insecure-" + random_key(50),
], ids=["40 characters", "49 characters", "4 distinct characters", "django-insecure- prefix"])
def test_production_refuses_every_key_that_check_deploy_would_warn_about(key):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL"}}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**clean, "SECRET_KEY": key, "DATABASE_URL": "postgres://x@127.0.0.1:9/x",
             "DJANGO_SETTINGS_MODULE": "config.settings.production"},
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "50" in result.stderr


def test_the_shortest_key_production_accepts_passes_check_deploy():
    result = run_deploy_check(SECRET_KEY=random_key(50))
    assert result.returncode == 0, result.stdout + result.stderr


def run_deploy_check(**env) -> subprocess.CompletedProcess:
    """`manage.py check --deploy` under production settings, as an operator runs it before going live.

    The database URL points at a port nothing listens on: the check must not need the database.
    """
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    # Nothing from the test run leaks in (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE, which the
    # check rightly reports).
    test_only = {"SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in test_only}
    production = {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(50)),
        "DATABASE_URL": "postgres://cunji@127.0.0.1:9/cunji",
        "ALLOWED_HOSTS": "ledger.example.org",
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={**clean, **production, **env}, capture_output=True, text=True, timeout=120,
        cwd=Path(__file__).resolve().parents[1],
    )


def test_deploy_check_is_clean_with_production_settings():
    result = run_deploy_check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_check_reports_a_weakened_production_setting():
    # The same check fails when an operator turns HSTS off: the clean result above is not vacuous.
    result = run_deploy_check(SECURE_HSTS_SECONDS="0")
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr
