"""Background work: large imports are checked and written by the worker (`manage.py db_worker`)."""

from django.contrib.auth import get_user_model
from django_tasks import task

from .importing import services as imports
from .models import ImportBatch


@task()
def check_import(batch_id: int) -> None:
    batch = ImportBatch.objects.get(pk=batch_id)
    try:
        imports.import_batch_check(batch=batch)
    except Exception as exc:
        imports.import_batch_fail(batch=batch, error=exc)
        raise


@task()
def apply_import(batch_id: int, actor_id: int | None = None) -> None:
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    try:
        imports.import_batch_apply(batch=batch, actor=actor)
    except Exception as exc:
        imports.import_batch_fail(batch=batch, error=exc)
        raise
