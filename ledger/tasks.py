"""Background work: large imports are checked and written by the worker (`manage.py db_worker`)."""

from django_tasks import task

from . import services
from .models import ImportBatch


@task()
def check_import(batch_id: int) -> None:
    batch = ImportBatch.objects.get(pk=batch_id)
    try:
        services.import_batch_check(batch=batch)
    except Exception as exc:
        _fail(batch, exc)
        raise


@task()
def apply_import(batch_id: int, actor_id: int | None = None) -> None:
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    from django.contrib.auth import get_user_model

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    try:
        services.import_batch_apply(batch=batch, actor=actor)
    except Exception as exc:
        _fail(batch, exc)
        raise


def _fail(batch: ImportBatch, exc: Exception) -> None:
    # The page shows this instead of a bar that never moves.
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.FAILED, progress=100,
        message=f"导入过程中出错，未写入任何数据（{type(exc).__name__}: {exc}）"[:2000],
    )
