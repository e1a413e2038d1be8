"""`manage.py deadline --rule TEXT --start YYYY-MM-DD`: the due date of a rule (SPEC §9).

Output: the due date on the first line; ``公示截止 YYYY-MM-DD`` on a second line
when the rule has a publicity period (counted from the due date, the latest
allowed publication day); ``依申请公开`` for on-request rules. A warning goes to
stderr when a year without official calendar data was involved. Unreadable
wording: a Chinese message on stderr and exit status 2.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _

from catalogs.deadlines import (
    PROVISIONAL_NOTE,
    RuleKind,
    RuleParseError,
    compute_due,
    parse_rule,
    render_rule,
)
from catalogs.selectors import work_calendar


class Command(BaseCommand):
    help = "按公开时限计算公开截止日期（工作日按国务院公布的节假日和调休安排计算）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--rule",
            required=True,
            help="公开时限原文，例如“制定或获取信息之日起10个工作日内”",
        )
        parser.add_argument(
            "--start", required=True, help="信息形成（获取）日期，格式 YYYY-MM-DD"
        )

    def fail(self, message: str):
        """A Chinese message on stderr (without a class-name prefix) and exit status 2."""
        self.stderr.write(message)
        raise SystemExit(2)

    def handle(self, *args, **options):
        translation.activate(settings.LANGUAGE_CODE)
        try:
            start = date.fromisoformat(options["start"].strip())
        except ValueError:
            self.fail(
                _("无法识别日期“%(start)s”：请写成YYYY-MM-DD，例如2025-09-26。")
                % {"start": options["start"]}
            )
        try:
            rule = parse_rule(options["rule"])
        except RuleParseError as exc:
            self.fail(exc.message)
        if rule.kind is RuleKind.ON_REQUEST:
            self.stdout.write("依申请公开")
            return
        if rule.kind is RuleKind.CONTINUOUS:
            self.stdout.write(render_rule(rule))
            return
        due = compute_due(rule, start, work_calendar())
        self.stdout.write(due.due.isoformat())
        if due.publicity_end is not None:
            self.stdout.write(f"公示截止 {due.publicity_end.isoformat()}")
        if due.provisional:
            self.stderr.write(_("警告：%(note)s") % {"note": PROVISIONAL_NOTE})
