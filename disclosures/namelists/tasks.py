"""The name-list background task (django-tasks; ``TASKS`` in the settings).

`process_name_list` is enqueued when a mapping commits
(`processing.name_list_dispatch`) and run by a worker process (`manage.py
db_worker`, or `rqworker` with the RQ backend) — never in a web process. It
may run on another machine than the one that took the upload: the staged file
is in the private storage (`staging`). A worker killed mid-list leaves the
list ``processing`` with a stale heartbeat; the rescue job
(`processing.name_list_rescue`, every minute) hands it to a worker again or
fails it with a message.
"""

from __future__ import annotations

from django_tasks import task

from .processing import name_list_run


@task()
def process_name_list(name_list_id: int) -> str | None:
    """Process one ``processing`` list; returns its status afterwards (``None``: gone)."""
    name_list = name_list_run(name_list_id)
    return name_list.status if name_list is not None else None
