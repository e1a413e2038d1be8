"""The public side of 依申请公开: the application form and the status lookup.

Both work without JavaScript. Nothing here shows who applied: the confirmation
shows the code and the check value once; the status page shows status and dates.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from catalogs.models import Region

from .. import services, throttle
from ..files import APPLICANT_MAX_BYTES, check_upload
from ..forms import PublicApplicationForm, StatusLookupForm
from ..letters import office_name
from ..selectors import application_status_lookup


def apply_error(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _counties():
    """Counties of the province grouped by city, for the first step (one query)."""
    counties = (
        Region.objects.filter(level=Region.Level.COUNTY, official=True)
        .select_related("parent")
        .order_by("code")
    )
    groups: dict[str, list] = {}
    for county in counties:
        groups.setdefault(county.parent.name if county.parent else "", []).append(
            county
        )
    return list(groups.items())


def _receivers(county: Region) -> list[tuple[str, str]]:
    townships = Region.objects.filter(
        parent=county, level=Region.Level.TOWNSHIP, official=True
    ).order_by("code")
    return [(county.code, office_name(county))] + [
        (t.code, office_name(t)) for t in townships
    ]


@never_cache
@csrf_protect
def apply(request):
    """Step 1: choose the county (``?county=``); step 2: the form of 第二十九条.

    ``?county=`` may also name a township (a township's guide links here): the form
    is then its county's, with the township chosen as the receiving body.
    """
    code = (request.GET.get("county") or "").strip()
    region = (
        Region.objects.filter(
            code=code, level__in=[Region.Level.COUNTY, Region.Level.TOWNSHIP]
        )
        .select_related("parent")
        .first()
        if code
        else None
    )
    county = (
        region.parent if region and region.level == Region.Level.TOWNSHIP else region
    )
    if county is None:
        return render(
            request,
            "onrequest/apply_choose.html",
            {"groups": _counties(), "unknown": bool(code)},
        )
    receivers = _receivers(county)
    if request.method != "POST":
        form = PublicApplicationForm(
            receivers=receivers, initial={"receiver": region.code}
        )
        return render(
            request, "onrequest/apply_form.html", {"form": form, "county": county}
        )

    form = PublicApplicationForm(request.POST, request.FILES, receivers=receivers)
    if not throttle.hit(request, "apply"):
        form.is_valid()
        form.add_error(
            None,
            _(
                "同一网络地址提交申请过于频繁，请一小时后再试；如有急需，请拨打受理机关的联系电话或当面递交申请。"
            ),
        )
        return render(
            request,
            "onrequest/apply_form.html",
            {"form": form, "county": county},
            status=429,
        )
    if form.is_valid() and form.cleaned_data.get("website"):
        # The honeypot: a field people never see. Nothing is stored.
        form.add_error(
            None, _("提交未成功：请不要填写隐藏的“请勿填写此项”一栏，然后重新提交。")
        )
    elif form.is_valid():
        try:
            files = []
            if form.cleaned_data.get("attachment"):
                files.append(
                    check_upload(
                        form.cleaned_data["attachment"],
                        field="attachment",
                        label=_("附件"),
                        max_bytes=APPLICANT_MAX_BYTES,
                    )
                )
            region = Region.objects.get(code=form.cleaned_data["receiver"])
            submitted = services.application_submit(
                region=region, data=form.application_data(), files=files
            )
        except ValidationError as exc:
            apply_error(form, exc)
        else:
            return render(
                request,
                "onrequest/apply_done.html",
                {
                    "code": submitted.application.code,
                    "check_value": submitted.check_value,
                    "office": office_name(region),
                    "submitted_at": submitted.application.submitted_at,
                },
            )
    return render(
        request,
        "onrequest/apply_form.html",
        {"form": form, "county": county},
        status=200,
    )


@never_cache
@csrf_protect
def status(request):
    """Look an application up by its code and check value: status and dates only."""
    result = None
    if request.method == "POST":
        form = StatusLookupForm(request.POST)
        if not throttle.hit(request, "status"):
            form.is_valid()
            form.add_error(None, _("查询过于频繁，请一小时后再试。"))
        elif form.is_valid():
            application = application_status_lookup(form.cleaned_data["code"])
            if not services.check_value_matches(
                application, form.cleaned_data["check_value"]
            ):
                form.add_error(
                    None,
                    _(
                        "申请编号或查询码不正确：请核对提交申请后页面上显示的申请编号和查询码（不区分大小写）。"
                    ),
                )
            else:
                result = application
    else:
        form = StatusLookupForm()
    return render(
        request,
        "onrequest/apply_status.html",
        {
            "form": form,
            "result": result,
            "office": office_name(result.region) if result else "",
        },
    )
