"""The working-day calendar of a year: a year view and the one form in which a
province admin enters the State Council's holiday notice (SPEC §4).

Entering the notice replaces the year's holidays and make-up working days, marks
the year official and recomputes every open due date (`catalogs.calendar`).
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from .. import calendar as calendar_services
from .. import permissions, selectors
from ..deadlines import PROVISIONAL_NOTE
from ..models import CalendarYear
from .manage import StaffView


class NoticeForm(forms.Form):
    source = forms.CharField(
        label=_lazy("通知名称或文号"),
        max_length=200,
        help_text=_lazy("例如“国务院办公厅关于2027年部分节假日安排的通知”。"),
    )
    holidays = forms.CharField(
        label=_lazy("放假安排（每行一段）"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_lazy(
            "每行写“名称 起始日期至结束日期”，包括假期中的周末，例如"
            "“春节 2月5日至12日”或“国庆节、中秋节 2027-10-01至2027-10-07”；只放1天的写一个日期。"
        ),
    )
    workdays = forms.CharField(
        label=_lazy("调休上班日（每行一天）"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_lazy("每行写“名称 日期”，例如“春节 2月14日”；没有调休的留空。"),
    )

    def __init__(self, *args, year: int, **kwargs):
        self.year = year
        super().__init__(*args, **kwargs)

    def _lines(self, field: str, ranges: bool):
        try:
            return calendar_services.parse_notice_lines(
                self.cleaned_data.get(field, ""), year=self.year, ranges=ranges
            )
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc

    def clean_holidays(self):
        return self._lines("holidays", ranges=True)

    def clean_workdays(self):
        return self._lines("workdays", ranges=False)


class CalendarYearView(StaffView):
    """GET: the year at a glance and the notice form; POST: enter the notice."""

    def _check(self, request, year: int) -> None:
        if not permissions.can_edit_calendar(request.user):
            raise PermissionDenied(_("只有省级管理员可以录入节假日安排。"))
        if not 2000 <= year <= 2099:
            raise Http404(_("年份超出可录入的范围（2000—2099年）。"))

    def get(self, request, year: int):
        self._check(request, year)
        holidays, workdays = calendar_services.notice_text(year)
        entry = CalendarYear.objects.filter(year=year).first()
        form = NoticeForm(
            year=year,
            initial={
                "source": entry.source if entry else "",
                "holidays": holidays,
                "workdays": workdays,
            },
        )
        return self._render(request, year, form, entry)

    def post(self, request, year: int):
        self._check(request, year)
        form = NoticeForm(request.POST, year=year)
        entry = CalendarYear.objects.filter(year=year).first()
        if form.is_valid():
            try:
                calendar_services.calendar_year_enter_notice(
                    year=year,
                    holidays=form.cleaned_data["holidays"],
                    workdays=form.cleaned_data["workdays"],
                    source=form.cleaned_data["source"],
                    actor=request.user,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(
                    request,
                    _(
                        "%(year)s年的节假日安排已录入，未完成事项的公开截止日期已按新安排重新计算。"
                    )
                    % {"year": year},
                )
                return redirect(
                    reverse("catalogs:calendar_year", kwargs={"year": year})
                )
        return self._render(request, year, form, entry, status=400)

    def _render(self, request, year, form, entry, status=200):
        cal = selectors.work_calendar()
        this_year = timezone.localdate().year
        return render(
            request,
            "catalogs/calendar_year.html",
            {
                "year": year,
                "form": form,
                "entry": entry,
                "official": cal.is_official(date(year, 1, 1)),
                "provisional_note": PROVISIONAL_NOTE,
                "months": calendar_services.year_view(year, cal),
                "years": range(this_year - 1, this_year + 2),
            },
            status=status,
        )
