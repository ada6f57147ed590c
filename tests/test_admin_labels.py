"""The admin in Chinese: third-party sections named, the 村年度账 list readable, one county preselected."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ledger.roles import grant_role_permissions

from .factories import make_ledger_year


@pytest.fixture
def admin_client_(client, people):
    client.force_login(people["admin"])
    return client


def test_login_protection_and_task_sections_are_in_chinese(admin_client_):
    page = admin_client_.get(reverse("admin:index")).content.decode()
    assert "登录保护" in page and "后台任务" in page
    assert "登录日志" in page and "登录失败记录" in page
    assert "Axes" not in page and "Tasks Database Backend" not in page and "Access logs" not in page
    DBTaskResult.objects.create(args_kwargs={"args": [1], "kwargs": {}}, task_path="ledger.tasks.check_import",
                                backend_name="default", run_after=timezone.now())
    tasks = admin_client_.get(reverse("admin:django_tasks_database_dbtaskresult_changelist")).content.decode()
    assert "排队时间" in tasks and "检查导入文件" in tasks and "Task name" not in tasks and "待执行" in tasks


def test_village_year_list_shows_the_town_and_amounts_with_separators(admin_client_, world):
    make_ledger_year(world["villages"]["长胜村"], 2023, {"operating_revenue": "12345678.9"})
    page = admin_client_.get(reverse("admin:ledger_ledgeryear_changelist")).content.decode()
    assert "八桥镇" in page and "12,345,678.90" in page
    assert re.search(r'<th[^>]*column-town[^>]*>.*?乡镇', page, re.S)


def test_a_county_officials_only_county_is_preselected(client, people, world):
    carol = people["carol"]
    get_user_model().objects.filter(pk=carol.pk).update(is_staff=True)
    carol.refresh_from_db()
    grant_role_permissions(carol)
    client.force_login(carol)
    response = client.get(reverse("admin:ledger_ledgerrules_add"))
    assert response.status_code == 200
    select = re.search(r'<select name="county".*?</select>', response.content.decode(), re.S).group(0)
    assert re.search(rf'<option value="{world["yangzhong"].pk}" selected>扬中市</option>', select)
