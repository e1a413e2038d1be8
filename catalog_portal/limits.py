"""Request-body limits, applied before anything reads the body.

Django reads a POST body the first time `request.POST` or `request.FILES` is
touched (the CSRF check does so for every form post) and spools uploaded files
larger than `FILE_UPLOAD_MAX_MEMORY_SIZE` to disk. Without a limit an anonymous
client could make every worker write hundreds of megabytes to its temporary
directory. This middleware answers from the declared length alone:

- anonymous requests may carry at most `ANONYMOUS_MAX_REQUEST_BYTES` (the only
  forms they post are small, e.g. the login form);
- logged-in users at most `MAX_REQUEST_BYTES` (a record form with several
  attachments; each file is also checked against `MAX_UPLOAD_BYTES`);
- a body without a declared length (chunked transfer) is refused: browsers
  always declare it, and the reverse proxy (docs/deploy.md) does as well.

The proxy's `client_max_body_size` should match `MAX_REQUEST_BYTES`, so that
oversized uploads end there; this is the second line for direct access.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")


def _refusal(message: str, status: int) -> HttpResponse:
    return HttpResponse(
        message + "\n", status=status, content_type="text/plain; charset=utf-8"
    )


class RequestBodyLimitMiddleware:
    """Refuse a request whose body is larger than the caller may send (413), unread."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.refusal(request) or self.get_response(request)

    def refusal(self, request: HttpRequest) -> HttpResponse | None:
        declared = request.META.get("CONTENT_LENGTH") or ""
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not declared:
            return _refusal(
                _(
                    "请求缺少内容长度（Content-Length）。请使用浏览器提交表单，或在请求中注明内容长度。"
                ),
                411,
            )
        try:
            length = int(declared) if declared else 0
        except ValueError:
            return _refusal(_("请求的内容长度（Content-Length）不是有效的数字。"), 400)
        anonymous_limit = settings.ANONYMOUS_MAX_REQUEST_BYTES
        if length <= anonymous_limit:
            return None
        limit = settings.MAX_REQUEST_BYTES
        if length > limit:
            return _refusal(
                _(
                    "提交的内容过大（%(size)s MB），本站单次提交最多 %(max)s MB。"
                    "请压缩附件或分几次上传，每个文件不超过 %(file_max)s MB。"
                )
                % {
                    "size": _megabytes(length),
                    "max": _megabytes(limit),
                    "file_max": _megabytes(settings.MAX_UPLOAD_BYTES),
                },
                413,
            )
        if not request.user.is_authenticated:
            return _refusal(
                _(
                    "未登录时提交的内容不能超过 %(max)s KB。上传附件或名单请先登录工作人员账号。"
                )
                % {"max": anonymous_limit // 1024},
                413,
            )
        return None
