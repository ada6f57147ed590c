"""The third-party apps whose admin sections people see, named in Chinese (their models' and fields'
names are translated in locale/zh_Hans). Listed in INSTALLED_APPS in place of the apps themselves."""

from axes.apps import AppConfig as AxesAppConfig
from django_tasks_db.apps import TasksAppConfig


class AxesConfig(AxesAppConfig):
    verbose_name = "登录保护（失败登录与锁定）"


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = "后台任务"
