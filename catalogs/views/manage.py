"""Staff catalog views under /work/catalogs/: login required, scoped to the user's region.

Each view gets its object through `catalogs.permissions.access_*` (``manage=True``:
another region's catalog is a 404 even when published), parses a form, calls one
service or selector, and renders or redirects. Every action that changes data is
a POST; its GET shows what will happen and a button, so everything works without
JavaScript.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import View

from .. import diff_queries, drafts, merge, permissions, provenance, selectors, services
from ..forms import (
    ItemEditor,
    MergeForm,
    OmitForm,
    ReviewCommentForm,
    ReviewDecisionForm,
    TimeLimitForm,
)
from ..models import Category, Domain, Region


class StaffView(permissions.RegionStaffRequiredMixin, PermissionRequiredMixin, View):
    """Logged-in region staff with the capability to read catalogs."""

    permission_required = "catalogs.view_catalog"


class ReadOnlyCatalogView(StaffView):
    """A page that only reads one catalog. A POST is answered like a GET would be for
    another region's catalog (404), and with 405 otherwise, so a POST never reveals
    whether another county's catalog exists."""

    def post(self, request, pk: int):
        permissions.access_catalog(request.user, pk, manage=True)
        return self.http_method_not_allowed(request)


def _detail_url(catalog, anchor: str = "") -> str:
    url = reverse("catalogs:catalog_detail", kwargs={"pk": catalog.pk})
    return f"{url}#{anchor}" if anchor else url


def _error_messages(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _confirm(
    request,
    *,
    catalog,
    title,
    message,
    button,
    danger=False,
    problems=(),
    item=None,
    status=200,
):
    return render(
        request,
        "catalogs/catalog_confirm.html",
        {
            "catalog": catalog,
            "item": item,
            "title": title,
            "message": message,
            "button": button,
            "danger": danger,
            "problems": problems,
        },
        status=status,
    )


# --- catalogs ----------------------------------------------------------------------------


class CatalogDetailView(ReadOnlyCatalogView):
    """One catalog version, grouped by category, with its diff status and comments."""

    def get(self, request, pk: int):
        catalog = permissions.access_catalog(request.user, pk, manage=True)
        context = selectors.catalog_workbench(request.user, catalog)
        if context["actions"].get("edit"):  # 保存草稿 of the new-item form
            context["new_item_drafts"] = drafts.catalog_new_item_drafts(catalog)
        return render(request, "catalogs/catalog_detail.html", context)


class CatalogCloneView(StaffView):
    """Clone the nearest ancestor's published catalog for the user's own region."""

    def _region_and_domain(self, request, domain_slug: str):
        domain = get_object_or_404(Domain, slug=domain_slug)
        code = permissions.scope_code(request.user)
        if not code or not permissions.can_clone_catalog(request.user, code):
            raise PermissionDenied(_("只有区划的目录编辑人员可以复制上级目录。"))
        return Region.objects.get(code=code), domain

    def get(self, request, domain_slug: str):
        region, domain = self._region_and_domain(request, domain_slug)
        return render(
            request,
            "catalogs/catalog_clone.html",
            {
                "region": region,
                "domain": domain,
                "source": services.nearest_upstream_catalog(
                    region=region, domain=domain
                ),
                "existing": region.catalogs.filter(domain=domain)
                .order_by("-version")
                .first(),
            },
        )

    def post(self, request, domain_slug: str):
        region, domain = self._region_and_domain(request, domain_slug)
        try:
            catalog = services.catalog_clone(
                region=region, domain=domain, actor=request.user
            )
        except ValidationError as error:
            _error_messages(request, error)
            return redirect("workspace")
        messages.success(
            request,
            _("已复制%(source)s，生成本地草稿。请逐项核对并本地化后提交审核。")
            % {"source": catalog.upstream.title},
        )
        return redirect(_detail_url(catalog))


class CatalogActionView(StaffView):
    """A life-cycle step: GET asks for confirmation, POST calls one service.

    Subclasses name the permission predicate, the confirmation texts and the
    service call (`perform`, returning the catalog to show next and a message).
    """

    allowed = staticmethod(lambda user, catalog: False)
    refused = ""
    title = message = button = ""

    def _catalog(self, request, pk):
        catalog = permissions.access_catalog(request.user, pk, manage=True)
        if not self.allowed(request.user, catalog):
            raise PermissionDenied(self.refused)
        return catalog

    def perform(self, request, catalog):
        raise NotImplementedError

    def get(self, request, pk: int):
        catalog = self._catalog(request, pk)
        return _confirm(
            request,
            catalog=catalog,
            title=self.title,
            message=self.message,
            button=self.button,
        )

    def post(self, request, pk: int):
        catalog = self._catalog(request, pk)
        try:
            target, note = self.perform(request, catalog)
        except ValidationError as error:
            _error_messages(request, error)
            return redirect(_detail_url(catalog))
        messages.success(request, note)
        return redirect(_detail_url(target))


class CatalogPublishView(CatalogActionView):
    """Publish an approved version (a template: its draft). It becomes immutable."""

    allowed = staticmethod(permissions.can_publish_catalog)
    refused = _lazy("只有本区划可以发布已审核通过的目录版本。")
    title = _lazy("发布目录")
    message = _lazy(
        "发布后本版本将在公开页面展示，且不能再修改；以后修改需开启新版本。"
    )
    button = _lazy("确认发布")

    def perform(self, request, catalog):
        services.catalog_publish(catalog=catalog, actor=request.user)
        return catalog, _("已发布第%(version)s版。") % {"version": catalog.version}


class CatalogNewVersionView(CatalogActionView):
    allowed = staticmethod(permissions.can_start_new_version)
    refused = _lazy("只有本区划可以在已发布的目录上开启新版本。")
    title = _lazy("开启新版本")
    message = _lazy(
        "将以本版本为基础生成新的草稿版本；已发布的版本保持不变并继续公开，直到新版本发布。"
    )
    button = _lazy("开启新版本")

    def perform(self, request, catalog):
        draft = services.catalog_start_new_version(catalog=catalog, actor=request.user)
        return draft, _("已开启第%(version)s版草稿。") % {"version": draft.version}


class CatalogDiffView(ReadOnlyCatalogView):
    def get(self, request, pk: int):
        catalog = permissions.access_catalog(request.user, pk, manage=True)
        catalog_diff = diff_queries.catalog_diff(catalog)
        return render(
            request,
            "catalogs/catalog_diff.html",
            {"catalog": catalog, "diff": catalog_diff, "summary": catalog_diff.summary},
        )


class CatalogHistoryView(ReadOnlyCatalogView):
    """Versions and the audit trail (who changed what, when), optionally of one item."""

    def get(self, request, pk: int):
        catalog = permissions.access_catalog(request.user, pk, manage=True)
        item_key = None
        if request.GET.get("item"):
            try:
                item_key = UUID(request.GET["item"])
            except ValueError:
                raise Http404 from None
        return render(
            request,
            "catalogs/catalog_history.html",
            selectors.catalog_history(catalog, item_key=item_key),
        )


class CatalogMergeView(StaffView):
    """Upstream updates: take or keep each change of the newer upstream version."""

    def get(self, request, pk: int):
        catalog = permissions.access_catalog(request.user, pk, manage=True)
        plan = diff_queries.merge_plan(catalog)
        form = None
        if plan is not None and permissions.can_edit_catalog(request.user, catalog):
            form = MergeForm(plan=plan, initial={"lock_version": catalog.lock_version})
        return self._render(request, catalog, plan, form)

    def post(self, request, pk: int):
        catalog = permissions.access_catalog(
            request.user, pk, for_write=True, manage=True
        )
        plan = diff_queries.merge_plan(catalog)
        if plan is None:
            messages.info(request, _("上级目录没有新的版本，无需合并。"))
            return redirect(_detail_url(catalog))
        form = MergeForm(request.POST, plan=plan)
        if not form.is_valid():
            return self._render(request, catalog, plan, form, status=400)
        try:
            counts = merge.catalog_upstream_merge(
                catalog=catalog,
                actor=request.user,
                choices=form.choices(),
                expected_lock_version=form.cleaned_data.get("lock_version"),
            )
        except ValidationError as error:
            if getattr(error, "code", None) == "stale":
                form.add_error(
                    None,
                    _(
                        "目录在您选择期间已被其他人修改。为避免覆盖，本次合并未生效：请查看下面的最新情况后重新选择。"
                    ),
                )
            else:
                for message in error.messages:
                    form.add_error(None, message)
            return self._render(request, catalog, plan, form, status=409)
        messages.success(
            request,
            _(
                "已合并上级目录第%(version)s版：采用上级修改%(taken)s处，保留本地%(kept)s处，新增事项%(added)s项，标注不公开%(omitted)s项。"
            )
            % {"version": plan.newer.version, **counts},
        )
        return redirect(_detail_url(catalog))

    def _render(self, request, catalog, plan, form, status=200):
        rows = []
        if plan is not None:
            for im in plan.items:
                if im.elements:
                    elements = [
                        (em, form[im.field_name(em.element)] if form else None)
                        for em in im.elements
                    ]
                    rows.append({"merge": im, "elements": elements, "field": None})
                else:
                    rows.append(
                        {
                            "merge": im,
                            "elements": [],
                            "field": form[im.field_name()] if form else None,
                        }
                    )
        return render(
            request,
            "catalogs/catalog_merge.html",
            {
                "catalog": catalog,
                "plan": plan,
                "form": form,
                "rows": rows,
                "can_edit": permissions.can_edit_catalog(request.user, catalog),
                "can_start_new_version": permissions.can_start_new_version(
                    request.user, catalog
                ),
            },
            status=status,
        )


# --- review ------------------------------------------------------------------------------


class ReviewQueueView(StaffView):
    def get(self, request):
        if not permissions.can_review_catalogs(request.user):
            raise PermissionDenied(_("您没有审核下级目录的权限。"))
        return render(
            request,
            "catalogs/review_queue.html",
            {"queue": selectors.review_queue(request.user)},
        )


class CatalogReviewView(StaffView):
    """The reviewer reads the diff, comments on items, approves or returns."""

    def _catalog(self, request, pk):
        catalog = permissions.access_catalog(request.user, pk, manage=True)
        if not permissions.can_see_review(request.user, catalog):
            raise PermissionDenied(_("只有上级区划的审核人员可以审核该目录。"))
        return catalog

    def get(self, request, pk: int):
        catalog = self._catalog(request, pk)
        return self._render(request, catalog)

    def post(self, request, pk: int):
        catalog = self._catalog(request, pk)
        if not permissions.can_review_catalog(request.user, catalog):
            raise PermissionDenied(_("该目录当前不是待审核状态。"))
        context = selectors.catalog_review_page(catalog)
        if request.POST.get("action") == "comment":
            form = ReviewCommentForm(
                request.POST, item_choices=context["item_choices"], prefix="comment"
            )
            if form.is_valid():
                try:
                    services.catalog_review_comment_add(
                        catalog=catalog,
                        actor=request.user,
                        body=form.cleaned_data["body"],
                        item_key=form.cleaned_data["item_key"],
                    )
                except ValidationError as error:
                    _error_messages(request, error)
                else:
                    messages.success(
                        request,
                        _("意见已记录。经办人在目录页面相应事项旁立即可以看到并答复。"),
                    )
                    return redirect(
                        reverse("catalogs:catalog_review", kwargs={"pk": catalog.pk})
                    )
            return self._render(request, catalog, comment_form=form, status=400)
        form = ReviewDecisionForm(
            request.POST, item_choices=context["item_choices"], prefix="decision"
        )
        if not form.is_valid():
            return self._render(request, catalog, decision_form=form, status=400)
        data = form.cleaned_data
        try:
            if data["decision"] == ReviewDecisionForm.APPROVE:
                services.catalog_approve(
                    catalog=catalog, actor=request.user, comment=data["body"]
                )
                messages.success(
                    request, _("已审核通过。经办人发布后，新版本即在公开页面生效。")
                )
                if context["open_comments"]:
                    messages.warning(
                        request,
                        _("仍有%(n)s条审核意见未关闭，它们保留在目录的相应事项旁。")
                        % {"n": len(context["open_comments"])},
                    )
            else:
                services.catalog_return(
                    catalog=catalog,
                    actor=request.user,
                    comment=data["body"],
                    item_key=data["item_key"],
                )
                messages.success(request, _("已退回修改，经办人会看到您的意见。"))
        except ValidationError as error:
            _error_messages(request, error)
        return redirect("catalogs:review_queue")

    def _render(
        self, request, catalog, comment_form=None, decision_form=None, status=200
    ):
        context = selectors.catalog_review_page(catalog)
        context.update(
            can_decide=permissions.can_review_catalog(request.user, catalog),
            comment_form=comment_form
            or ReviewCommentForm(
                item_choices=context["item_choices"], prefix="comment"
            ),
            decision_form=decision_form
            or ReviewDecisionForm(
                item_choices=context["item_choices"], prefix="decision"
            ),
        )
        return render(request, "catalogs/catalog_review.html", context, status=status)


class CommentResolveView(StaffView):
    def get(self, request, pk: int):
        comment = permissions.access_review_comment(request.user, pk, for_write=True)
        return _confirm(
            request,
            catalog=comment.catalog,
            title=_("标记审核意见为已处理"),
            message=comment.body,
            button=_("标记为已处理"),
        )

    def post(self, request, pk: int):
        comment = permissions.access_review_comment(request.user, pk, for_write=True)
        try:
            services.catalog_review_comment_resolve(comment=comment, actor=request.user)
        except ValidationError as error:
            _error_messages(request, error)
        else:
            messages.success(request, _("已标记为已处理。"))
        next_url = request.POST.get("next", "")
        if next_url.startswith("/work/"):
            return redirect(next_url)
        return redirect(_detail_url(comment.catalog))


# --- items -------------------------------------------------------------------------------


def _basis_query(data) -> str:
    """The legal-basis picker's filter text (``basis_q``), trimmed."""
    return " ".join(str(data.get("basis_q", "")).split())[:100]


def _basis_matches(basis_query: str):
    """(pk, citation) of the library documents matching the picker's filter, or
    None without a filter (the short list shown above the rows)."""
    if not basis_query:
        return None
    return selectors.legal_document_choices(basis_query)


def _editor(catalog, data=None, item=None, basis_query: str = "") -> ItemEditor:
    """The item editor; with ``basis_query`` the library lists only its matches
    (and the documents already chosen, in the item or in the posted rows)."""
    keep: list = []
    if basis_query:
        if item is not None:
            keep += [link.document_id for link in item.basis_links.all()]
        if data is not None:
            keep += [
                value
                for name, value in data.items()
                if name.startswith("bases-") and name.endswith("-document") and value
            ]
    return ItemEditor(
        data,
        catalog=catalog,
        item=item,
        categories=list(Category.objects.filter(domain_id=catalog.domain_id)),
        library=selectors.legal_document_choices(basis_query, keep=keep),
    )


def _upstream_snapshot(item):
    if item is None or item.upstream_item_id is None:
        return None
    return diff_queries.load_snapshots(Q(pk=item.upstream_item_id)).get(
        item.upstream_item_id
    )


class ItemEditView(StaffView):
    """All nine elements of one item; a stale save is refused and the input kept."""

    template_name = "catalogs/item_form.html"

    def get(self, request, pk: int):
        item = permissions.access_catalog_item(
            request.user, pk, for_write=True, manage=True
        )
        query = _basis_query(request.GET)
        draft = drafts.item_draft(item)
        if draft is not None:
            # The form as the clerk left it (保存草稿), problems listed.
            editor = _editor(
                item.catalog, drafts.draft_form_data(draft), item, basis_query=query
            )
            return self._render(request, item, editor, draft=draft, basis_query=query)
        editor = _editor(item.catalog, item=item, basis_query=query)
        return self._render(request, item, editor, basis_query=query)

    def post(self, request, pk: int):
        item = permissions.access_catalog_item(
            request.user, pk, for_write=True, manage=True
        )
        if "_draft" in request.POST or "_discard_draft" in request.POST:
            return self._draft(request, item)
        if "_basis_search" in request.POST:
            # The picker's 查找 without JavaScript: the same form, nothing saved,
            # every 从依据库选择 list narrowed to the matches.
            query = _basis_query(request.POST)
            editor = _editor(item.catalog, request.POST, item, basis_query=query)
            return self._render(request, item, editor, basis_query=query, quiet=True)
        editor = _editor(item.catalog, request.POST, item=item)
        valid = editor.is_valid()
        if "_preview" in request.POST or not valid:
            return self._render(request, item, editor, status=200 if valid else 400)
        try:
            services.catalog_item_set_elements(
                item=item,
                values=editor.values(),
                bases=editor.basis_specs(),
                actor=request.user,
                expected_lock_version=editor.lock_version,
            )
        except ValidationError as error:
            if getattr(error, "code", None) == "stale":
                return self._stale(request, pk, editor)
            editor.add_service_errors(error)
            return self._render(request, item, editor, status=400)
        drafts.item_draft_discard(item=item, actor=request.user, saved=True)
        messages.success(request, _("已保存“%(name)s”。") % {"name": item.name})
        return redirect(_detail_url(item.catalog, f"item-{item.key}"))

    def _draft(self, request, item):
        """保存草稿 (kept unchecked, see catalogs.drafts) or 放弃草稿."""
        if "_discard_draft" in request.POST:
            drafts.item_draft_discard(item=item, actor=request.user)
            messages.success(request, _("已放弃草稿，下面是该事项已保存的内容。"))
            return redirect("catalogs:item_edit", pk=item.pk)
        try:
            drafts.item_draft_save(item=item, data=request.POST, actor=request.user)
        except ValidationError as error:
            editor = _editor(item.catalog, request.POST, item=item)
            editor.form.add_error(None, error)
            return self._render(request, item, editor, status=400)
        messages.success(
            request,
            _(
                "草稿已保存。草稿内容尚未检查，不会提交审核或公开；再次打开本页时会显示草稿，检查无误后点“保存”才会生效。"
            ),
        )
        return redirect("catalogs:item_edit", pk=item.pk)

    def _stale(self, request, pk, editor):
        """Someone saved in between: show their version, keep this input, and let the
        clerk save again deliberately (the form now carries the new lock version)."""
        current = permissions.access_catalog_item(
            request.user, pk, for_write=True, manage=True
        )
        data = request.POST.copy()
        data["lock_version"] = str(current.lock_version)
        editor = _editor(current.catalog, data, item=current)
        editor.is_valid()
        editor.form.add_error(
            None,
            _(
                "该事项已被其他人修改并保存，您的这次保存没有生效，您填写的内容都保留在下面。请对照“他人保存的最新内容”核对后，再次点击“保存”。"
            ),
        )
        return self._render(request, current, editor, status=409, stale=True)

    def _render(
        self,
        request,
        item,
        editor,
        status=200,
        stale=False,
        draft=None,
        basis_query="",
        quiet=False,
    ):
        """``quiet``: the form shown back after 查找, which is not a save."""
        preview = None
        if editor.form.is_bound and editor.form.is_valid():
            preview = editor.form.preview()
        return render(
            request,
            self.template_name,
            {
                "catalog": item.catalog,
                "item": item,
                "editor": editor,
                "upstream": _upstream_snapshot(item),
                "comments": selectors.item_comments(item),
                "source_hints": provenance.item_hints(item),
                "preview": preview,
                "stale": stale,
                "draft": draft,
                "basis_query": basis_query,
                "basis_matches": _basis_matches(basis_query),
                "quiet": quiet,
                "draft_outdated": draft is not None
                and draft.base_lock_version != item.lock_version,
                "latest": diff_queries.load_snapshots(Q(pk=item.pk)).get(item.pk)
                if stale
                else None,
            },
            status=status,
        )


class ItemAddView(StaffView):
    """A local item (拓宽公开范围); 保存草稿 keeps the form as typed (issue 21)."""

    def get(self, request, pk: int):
        catalog = permissions.access_catalog(
            request.user, pk, for_write=True, manage=True
        )
        query = _basis_query(request.GET)
        editor = _editor(catalog, basis_query=query)
        return self._render(request, catalog, editor, basis_query=query)

    def post(self, request, pk: int):
        catalog = permissions.access_catalog(
            request.user, pk, for_write=True, manage=True
        )
        return self._post(request, catalog)

    def _post(self, request, catalog, draft=None):
        if "_draft" in request.POST or "_discard_draft" in request.POST:
            return self._draft(request, catalog, draft)
        if "_basis_search" in request.POST:  # 查找 in the library: nothing saved
            query = _basis_query(request.POST)
            editor = _editor(catalog, request.POST, basis_query=query)
            return self._render(
                request,
                catalog,
                editor,
                basis_query=query,
                quiet=True,
                draft=draft,
            )
        editor = _editor(catalog, request.POST)
        valid = editor.is_valid()
        if "_preview" in request.POST or not valid:
            return self._render(
                request, catalog, editor, status=200 if valid else 400, draft=draft
            )
        try:
            if draft is None:
                item = services.catalog_item_add(
                    catalog=catalog,
                    values=editor.values(),
                    bases=editor.basis_specs(),
                    actor=request.user,
                )
            else:
                item = drafts.new_item_from_draft(
                    draft=draft,
                    values=editor.values(),
                    bases=editor.basis_specs(),
                    actor=request.user,
                )
        except ValidationError as error:
            editor.add_service_errors(error)
            return self._render(request, catalog, editor, status=400, draft=draft)
        messages.success(request, _("已新增本地事项“%(name)s”。") % {"name": item.name})
        return redirect(_detail_url(catalog, f"item-{item.key}"))

    def _draft(self, request, catalog, draft):
        """保存草稿 (kept unchecked, see catalogs.drafts) or 放弃草稿."""
        if "_discard_draft" in request.POST:
            if draft is not None:
                drafts.new_item_draft_discard(draft=draft, actor=request.user)
                messages.success(request, _("已放弃该新增事项的草稿。"))
            return redirect(_detail_url(catalog))
        try:
            draft = drafts.new_item_draft_save(
                catalog=catalog, data=request.POST, actor=request.user, draft=draft
            )
        except ValidationError as error:
            editor = _editor(catalog, request.POST)
            editor.form.add_error(None, error)
            return self._render(request, catalog, editor, status=400, draft=draft)
        messages.success(
            request,
            _(
                "草稿已保存。草稿内容尚未检查，不会新增事项，也不会提交审核或公开；可以从目录页面的“未保存的新增事项草稿”重新打开，检查无误后点“保存”才会新增该事项。"
            ),
        )
        return redirect("catalogs:item_new_draft", pk=draft.pk)

    def _render(
        self,
        request,
        catalog,
        editor,
        status=200,
        basis_query="",
        quiet=False,
        draft=None,
    ):
        preview = (
            editor.form.preview()
            if editor.form.is_bound and editor.form.is_valid()
            else None
        )
        return render(
            request,
            "catalogs/item_form.html",
            {
                "catalog": catalog,
                "item": None,
                "editor": editor,
                "preview": preview,
                "comments": [],
                "basis_query": basis_query,
                "basis_matches": _basis_matches(basis_query),
                "quiet": quiet,
                "draft": draft,
                "draft_outdated": False,
            },
            status=status,
        )


class NewItemDraftView(ItemAddView):
    """A new-item draft reopened: the new-item form bound to what was typed, its
    problems listed; 保存 creates the item and removes the draft (issue 21)."""

    def get(self, request, pk: int):
        draft = permissions.access_new_item_draft(request.user, pk)
        query = _basis_query(request.GET)
        editor = _editor(
            draft.catalog, drafts.draft_form_data(draft), basis_query=query
        )
        return self._render(
            request, draft.catalog, editor, basis_query=query, draft=draft
        )

    def post(self, request, pk: int):
        draft = permissions.access_new_item_draft(request.user, pk)
        return self._post(request, draft.catalog, draft)


class ItemOmitView(StaffView):
    def get(self, request, pk: int):
        item = permissions.access_catalog_item(
            request.user, pk, for_write=True, manage=True
        )
        form = OmitForm(initial={"lock_version": item.lock_version})
        return render(
            request,
            "catalogs/item_omit.html",
            {"item": item, "catalog": item.catalog, "form": form},
        )

    def post(self, request, pk: int):
        item = permissions.access_catalog_item(
            request.user, pk, for_write=True, manage=True
        )
        form = OmitForm(request.POST)
        if form.is_valid():
            try:
                services.catalog_item_omit(
                    item=item,
                    reason=form.cleaned_data["omitted_reason"],
                    actor=request.user,
                    expected_lock_version=form.cleaned_data.get("lock_version"),
                )
            except ValidationError as error:
                if getattr(error, "code", None) == "stale":
                    form.add_error(
                        None,
                        _(
                            "该事项已被其他人修改并保存，本次操作没有生效。请返回目录查看最新内容后重试；您填写的理由保留在下面。"
                        ),
                    )
                elif hasattr(error, "error_dict"):
                    for field, errors in error.message_dict.items():
                        for message in errors:
                            form.add_error(
                                "omitted_reason" if field == "omitted_reason" else None,
                                message,
                            )
                else:
                    for message in error.messages:
                        form.add_error(None, message)
            else:
                messages.success(
                    request, _("已将“%(name)s”标注为本地不公开。") % {"name": item.name}
                )
                return redirect(_detail_url(item.catalog, f"item-{item.key}"))
        return render(
            request,
            "catalogs/item_omit.html",
            {"item": item, "catalog": item.catalog, "form": form},
            status=400,
        )


class ItemRestoreView(StaffView):
    def get(self, request, pk: int):
        item = permissions.access_catalog_item(
            request.user, pk, for_write=True, manage=True
        )
        return _confirm(
            request,
            catalog=item.catalog,
            item=item,
            title=_("恢复公开"),
            message=_("恢复后该事项重新列入本地目录。不公开的理由是：%(reason)s")
            % {"reason": item.omitted_reason},
            button=_("恢复公开"),
        )

    def post(self, request, pk: int):
        item = permissions.access_catalog_item(
            request.user, pk, for_write=True, manage=True
        )
        try:
            services.catalog_item_restore(item=item, actor=request.user)
        except ValidationError as error:
            _error_messages(request, error)
        else:
            messages.success(request, _("已恢复公开“%(name)s”。") % {"name": item.name})
        return redirect(_detail_url(item.catalog, f"item-{item.key}"))


class ItemDeleteView(StaffView):
    def get(self, request, pk: int):
        item = permissions.access_catalog_item(
            request.user, pk, for_write=True, manage=True
        )
        return _confirm(
            request,
            catalog=item.catalog,
            item=item,
            title=_("删除本地事项"),
            message=_("将删除本地新增的事项“%(name)s”。删除记录保留在修改记录中。")
            % {"name": item.name},
            button=_("确认删除"),
            danger=True,
        )

    def post(self, request, pk: int):
        item = permissions.access_catalog_item(
            request.user, pk, for_write=True, manage=True
        )
        catalog = item.catalog
        try:
            services.catalog_item_delete_local(item=item, actor=request.user)
        except ValidationError as error:
            _error_messages(request, error)
        else:
            messages.success(request, _("已删除本地事项。"))
        return redirect(_detail_url(catalog))


class TimeLimitPreviewView(StaffView):
    """The Chinese wording and an example due date of a structured deadline (JSON)."""

    def get(self, request):
        form = TimeLimitForm(request.GET, original_text=request.GET.get("original", ""))
        return JsonResponse(form.preview())
