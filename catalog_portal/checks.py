"""Production safety as system checks (`manage.py check`, and before `migrate`/`runserver`).

With debug off (production settings) the portal refuses:

- SQLite, unless `DJANGO_ALLOW_SQLITE=1` says that this is a pilot on one
  machine (SQLite is configured for concurrent writers, but it has no
  replication, no point-in-time recovery and one file on one disk);
- a per-process cache (LocMemCache): each gunicorn worker would keep its own
  copy of the public pages and of their generation key, so a record withdrawn
  through one worker would still be served by the others (issue 12);
- a request-body limit smaller than the largest accepted upload.

Registered from `catalogs.apps.CatalogsConfig.ready()`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.core.checks import Error, register
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

TAG = "production"


@register(TAG)
def check_sqlite_in_production(app_configs=None, **kwargs) -> list[Error]:
    if settings.DEBUG or getattr(settings, "ALLOW_SQLITE", False):
        return []
    return [
        Error(
            _("生产设置（关闭调试模式）下数据库“%(alias)s”使用的是 SQLite。")
            % {"alias": alias},
            hint=_(
                "请把 DATABASE_URL 设为 postgres://用户:密码@主机:端口/库名（见 docs/deploy.md）。"
                "仅在单机试点时，可设置环境变量 DJANGO_ALLOW_SQLITE=1 明确允许使用 SQLite。"
            ),
            id="catalog_portal.E001",
        )
        for alias, database in settings.DATABASES.items()
        if database.get("ENGINE") == "django.db.backends.sqlite3"
    ]


@register(TAG)
def check_shared_cache(app_configs=None, **kwargs) -> list[Error]:
    if settings.DEBUG:
        return []
    errors = []
    for alias, config in settings.CACHES.items():
        try:
            backend = import_string(config["BACKEND"])
        except ImportError:
            continue  # Django's own cache checks report it.
        if isinstance(backend, type) and issubclass(backend, LocMemCache):
            errors.append(
                Error(
                    _(
                        "缓存“%(alias)s”是进程内缓存（LocMemCache）：每个工作进程各存一份，"
                        "在一个进程里撤回的信息，其他进程可能仍在显示。"
                    )
                    % {"alias": alias},
                    hint=_(
                        "请去掉环境变量 CACHE_URL，使用默认的数据库缓存（db://），"
                        "或设为 redis://主机:6379/0、file:///绝对目录；locmem:// 只用于开发。"
                    ),
                    id="catalog_portal.E002",
                )
            )
    return errors


@register(TAG)
def check_request_body_limits(app_configs=None, **kwargs) -> list[Error]:
    request_max = getattr(settings, "MAX_REQUEST_BYTES", None)
    upload_max = getattr(settings, "MAX_UPLOAD_BYTES", None)
    if request_max is None or upload_max is None or request_max > upload_max:
        return []
    return [
        Error(
            _(
                "单次请求的上限 MAX_REQUEST_BYTES（%(request)s 字节）不大于单个文件的上限 MAX_UPLOAD_BYTES（%(upload)s 字节），最大的附件将无法上传。"
            )
            % {"request": request_max, "upload": upload_max},
            hint=_(
                "请调大 DJANGO_MAX_REQUEST_BYTES（建议为单个文件上限的 3 倍左右），并同步调整反向代理的 client_max_body_size。"
            ),
            id="catalog_portal.E003",
        )
    ]
