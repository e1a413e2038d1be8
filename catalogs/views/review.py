"""Staff pages of the review round trip (issue 21), mounted under /work/catalogs/.

Submitting shows what changed against the upstream and who will review; the clerk
may withdraw the submission until the review starts. Review comments are
answered and marked handled by the county and closed by the reviewer.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from .. import drafts, permissions, review, selectors, services
from ..forms import ReviewAnswerForm
from .manage import StaffView


def _detail_url(catalog, anchor: str = "") -> str:
    url = reverse("catalogs:catalog_detail", kwargs={"pk": catalog.pk})
    return f"{url}#{anchor}" if anchor else url


def _next_url(request, fallback: str) -> str:
    next_url = request.POST.get("next", "")
    return next_url if next_url.startswith("/work/") else fallback


class CatalogSubmitView(StaffView):
    """提交审核: the problems to fix, the changes against the upstream, the reviewers."""

    def _catalog(self, request, pk):
        return permissions.access_catalog(request.user, pk, for_write=True, manage=True)

    def _render(self, request, catalog, problems, status=200):
        context = selectors.catalog_review_page(catalog)
        context.update(
            problems=problems,
            reviewers=review.catalog_reviewers(catalog),
            item_drafts=drafts.catalog_item_drafts(catalog),
        )
        return render(request, "catalogs/catalog_submit.html", context, status=status)

    def get(self, request, pk: int):
        catalog = self._catalog(request, pk)
        return self._render(
            request, catalog, selectors.catalog_submission_problems(catalog)
        )

    def post(self, request, pk: int):
        catalog = self._catalog(request, pk)
        try:
            services.catalog_submit(catalog=catalog, actor=request.user)
        except ValidationError as error:
            return self._render(request, catalog, error.messages, status=400)
        messages.success(
            request,
            _(
                "已提交审核，请等待上级民政部门审核。在审核人员提出第一条意见之前，"
                "您可以在本页撤回提交。"
            ),
        )
        return redirect(_detail_url(catalog))


class CatalogWithdrawView(StaffView):
    """撤回提交: back to a draft while the reviewer has not started."""

    def _catalog(self, request, pk):
        catalog = permissions.access_catalog(request.user, pk, manage=True)
        if not permissions.can_withdraw_submission(request.user, catalog):
            raise PermissionDenied(
                _("只有本区划的目录编辑人员可以撤回已提交审核的目录。")
            )
        return catalog

    def get(self, request, pk: int):
        catalog = self._catalog(request, pk)
        return render(
            request,
            "catalogs/catalog_confirm.html",
            {
                "catalog": catalog,
                "title": _("撤回提交"),
                "message": _(
                    "撤回后目录回到草稿状态，可以继续修改，修改后需要重新提交审核。"
                ),
                "button": _("确认撤回"),
                "problems": [],
            },
        )

    def post(self, request, pk: int):
        catalog = self._catalog(request, pk)
        try:
            review.catalog_submission_withdraw(catalog=catalog, actor=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已撤回提交，目录回到草稿状态，可以继续修改。"))
        return redirect(_detail_url(catalog))


class CommentAnswerView(StaffView):
    """The county answers a review comment (the form also sits under each comment)."""

    def _comment(self, request, pk):
        comment = permissions.access_review_comment(request.user, pk)
        if not permissions.can_answer_review_comment(request.user, comment):
            raise PermissionDenied(
                _("只有本区划的目录编辑人员可以答复未关闭的审核意见。")
            )
        return comment

    def _render(self, request, comment, form, status=200):
        return render(
            request,
            "catalogs/comment_answer.html",
            {"comment": comment, "catalog": comment.catalog, "form": form},
            status=status,
        )

    def get(self, request, pk: int):
        comment = self._comment(request, pk)
        return self._render(
            request, comment, ReviewAnswerForm(initial={"answer": comment.answer})
        )

    def post(self, request, pk: int):
        comment = self._comment(request, pk)
        form = ReviewAnswerForm(request.POST)
        if form.is_valid():
            try:
                review.review_comment_answer(
                    comment=comment,
                    actor=request.user,
                    answer=form.cleaned_data["answer"],
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for message in error.message_dict.get("answer", []):
                        form.add_error("answer", message)
                else:
                    for message in error.messages:
                        form.add_error(None, message)
            else:
                messages.success(request, _("答复已保存，审核人员可以看到。"))
                return redirect(
                    _next_url(request, _detail_url(comment.catalog, f"comment-{pk}"))
                )
        return self._render(request, comment, form, status=400)


class CommentCloseView(StaffView):
    """The reviewer closes a comment once satisfied."""

    def _comment(self, request, pk):
        comment = permissions.access_review_comment(request.user, pk)
        if not permissions.can_close_review_comment(request.user, comment):
            raise PermissionDenied(
                _("只有上级区划的审核人员可以关闭未关闭的审核意见。")
            )
        return comment

    def get(self, request, pk: int):
        comment = self._comment(request, pk)
        return render(
            request,
            "catalogs/catalog_confirm.html",
            {
                "catalog": comment.catalog,
                "title": _("关闭审核意见"),
                "message": comment.body,
                "button": _("关闭意见"),
                "problems": [],
            },
        )

    def post(self, request, pk: int):
        comment = self._comment(request, pk)
        try:
            review.review_comment_close(comment=comment, actor=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已关闭该意见。"))
        fallback = reverse("catalogs:catalog_review", kwargs={"pk": comment.catalog_id})
        return redirect(_next_url(request, fallback))
