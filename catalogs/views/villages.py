"""Staff pages for villages and communities (村/社区) under /work/villages/.

County staff (and province admins) add the villages of their townships one by
one or import a csv; the services in `catalogs.villages` check and audit every
write. Townships outside the user's region are neither listed nor accepted.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View

from .. import permissions, villages
from ..models import Region

app_name = "villages"


class VillageForm(forms.Form):
    township = forms.ModelChoiceField(
        label=gettext_lazy("所属乡镇（街道）"), queryset=Region.objects.none()
    )
    code = forms.CharField(
        label=gettext_lazy("区划代码（12位）"),
        max_length=12,
        help_text=gettext_lazy(
            "统计用区划代码：乡镇代码9位加3位村级代码，例如410311012201。"
        ),
    )
    name = forms.CharField(label=gettext_lazy("村（社区）名称"), max_length=100)

    def __init__(self, *args, townships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships


class VillageImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("村（社区）名单 CSV 文件"),
        help_text=gettext_lazy(
            "三列：code（12位区划代码）、name（名称）、township_code（所属乡镇9位代码），"
            "第一行为表头；UTF-8 或 GBK 编码。任何一行有误都不会导入，并会列出出错的行。"
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > villages.MAX_CSV_BYTES:
            raise forms.ValidationError(
                _("文件太大：村（社区）名单不能超过 2 MB，请分批导入。")
            )
        return upload


class VillageListView(permissions.RegionStaffRequiredMixin, View):
    """The townships of the user's county with their villages; add or import."""

    template_name = "catalogs/village_list.html"

    def setup_scope(self, request):
        code = permissions.scope_code(request.user) or ""
        if not permissions.can_manage_villages(request.user):
            raise PermissionDenied(
                _(
                    "只有县级民政部门工作人员可以登记村（社区），请联系所在县（市、区）。"
                )
            )
        county = request.GET.get("county", "")
        if len(code) < 6:
            # A province admin (or superuser) works one county at a time.
            if not (county.isdigit() and len(county) == 6 and county.startswith(code)):
                county = ""
        else:
            county = code[:6]
        self.scope, self.county = code, county
        self.townships = (
            Region.objects.filter(
                level=Region.Level.TOWNSHIP, code__startswith=county
            ).order_by("-official", "code")
            if county
            else Region.objects.none()
        )

    def render_page(self, request, add_form, import_form, problems=()):
        county = (
            Region.objects.filter(code=self.county).first() if self.county else None
        )
        by_township: dict[str, list[Region]] = {}
        if county:
            for village in Region.objects.filter(
                level=Region.Level.VILLAGE, code__startswith=county.code
            ).order_by("code"):
                by_township.setdefault(village.parent_id, []).append(village)
        rows = [(t, by_township.get(t.code, [])) for t in self.townships]
        return render(
            request,
            self.template_name,
            {
                "county": county,
                "rows": rows,
                "village_count": sum(len(v) for v in by_township.values()),
                "add_form": add_form,
                "import_form": import_form,
                "problems": list(problems),
                "needs_county": county is None,
            },
        )

    def get(self, request):
        self.setup_scope(request)
        return self.render_page(
            request, VillageForm(townships=self.townships), VillageImportForm()
        )

    def post(self, request):
        self.setup_scope(request)
        add_form = VillageForm(townships=self.townships)
        import_form = VillageImportForm()
        problems: list[tuple[int | None, str]] = []
        if request.POST.get("action") == "import":
            import_form = VillageImportForm(request.POST, request.FILES)
            if import_form.is_valid():
                try:
                    created = villages.villages_import_csv(
                        data=import_form.cleaned_data["file"].read(),
                        actor=request.user,
                        within=self.county or self.scope,
                    )
                except villages.VillageImportError as exc:
                    problems = exc.problems
                else:
                    messages.success(
                        request,
                        _("已导入%(n)s个村（社区）。") % {"n": len(created)},
                    )
                    return HttpResponseRedirect(self._url())
        else:
            add_form = VillageForm(request.POST, townships=self.townships)
            if add_form.is_valid():
                try:
                    village = villages.village_create(
                        township=add_form.cleaned_data["township"],
                        code=add_form.cleaned_data["code"],
                        name=add_form.cleaned_data["name"],
                        actor=request.user,
                        within=self.county or self.scope,
                    )
                except ValidationError as exc:
                    for message in exc.messages:
                        add_form.add_error(None, message)
                else:
                    messages.success(
                        request,
                        _("已添加“%(name)s”（%(code)s）。")
                        % {"name": village.name, "code": village.code},
                    )
                    return HttpResponseRedirect(self._url())
        return self.render_page(request, add_form, import_form, problems)

    def _url(self) -> str:
        url = reverse("villages:village_list")
        if self.county and len(self.scope) < 6:
            url += f"?county={self.county}"
        return url


urlpatterns = [path("", VillageListView.as_view(), name="village_list")]
