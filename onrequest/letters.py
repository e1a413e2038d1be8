"""Reply letters (政府信息公开申请答复书) as docx, one template per outcome group.

The templates are ordinary Word files with docxtpl placeholders (``{{ applicant_name }}``,
``{% if other_agency %}…{% endif %}``) in ``onrequest/letter_templates/<group>.docx``,
so a province admin can change the wording in Word; `build_default_template`
writes the shipped ones (``python manage.py shell -c "from onrequest.letters import
write_default_templates; write_default_templates()"``). A directory named by the
setting ``ONREQUEST_LETTER_TEMPLATE_DIR`` takes precedence.
"""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from docxtpl import DocxTemplate

from django.conf import settings

from .models import Application, LetterTemplate
from .outcomes import OUTCOME_GROUPS, OUTCOMES_BY_KEY

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DEFAULT_DIR = Path(__file__).resolve().parent / "letter_templates"

_OPENING = (
    "{{ applicant_name }}：\n"
    "本机关于{{ received }}收到您（单位）提出的政府信息公开申请（申请编号：{{ code }}），"
    "申请获取“{{ description }}”。现答复如下："
)
_BODIES = {
    "disclosed": (
        "经审查，您申请获取的政府信息属于公开范围。根据《中华人民共和国政府信息公开条例》"
        "{{ article }}的规定，本机关予以公开：{{ reply_text }}"
    ),
    "partly": (
        "经审查，您申请获取的政府信息中含有不应当公开的内容，但能够作区分处理。根据"
        "《中华人民共和国政府信息公开条例》第三十七条的规定，本机关向您提供可以公开的部分，"
        "不予公开的部分及理由如下：{{ reply_text }}"
    ),
    "refused": (
        "经审查，您申请获取的政府信息{{ outcome_label }}。根据《中华人民共和国政府信息公开条例》"
        "{{ article }}的规定，本机关不予公开。理由如下：{{ reply_text }}"
    ),
    "unable": (
        "经检索查找，{{ outcome_label }}。根据《中华人民共和国政府信息公开条例》{{ article }}"
        "的规定，本机关无法提供。{{ reply_text }}"
        "{% if other_agency %}负责公开该政府信息的行政机关为{{ other_agency }}，"
        "您可以向其提出申请。{% endif %}"
    ),
    "not_handled": (
        "经审查，您的申请属于“{{ outcome_label }}”的情形。根据《中华人民共和国政府信息公开条例》"
        "{{ article }}的规定，本机关不作为政府信息公开申请处理。{{ reply_text }}"
    ),
    "other": (
        "{{ outcome_label }}。{% if article %}根据《中华人民共和国政府信息公开条例》"
        "{{ article }}的规定，{% endif %}{{ reply_text }}"
    ),
}
#: Notices sent while the application is handled (第三十条 correction, 第三十三条 extension).
_NOTICES = {
    "correction_notice": (
        "补正申请告知书",
        "{{ applicant_name }}：\n"
        "本机关于{{ received }}收到您（单位）提出的政府信息公开申请（申请编号：{{ code }}）。"
        "经审查，您的申请内容不明确，根据《中华人民共和国政府信息公开条例》第三十条的规定，"
        "请您对以下事项作出补正：{{ correction_note }}\n"
        "请于{{ correction_deadline }}前提交补正后的申请。答复期限自本机关收到补正后的申请之日起计算；"
        "无正当理由逾期不补正的，视为放弃申请，本机关不再处理该政府信息公开申请。",
    ),
    "extension_notice": (
        "延长答复期限告知书",
        "{{ applicant_name }}：\n"
        "您（单位）提出的政府信息公开申请（申请编号：{{ code }}）需要延长答复期限。"
        "根据《中华人民共和国政府信息公开条例》第三十三条第二款的规定，经{{ approver }}同意，"
        "答复期限延长{{ extension_days }}个工作日，最迟于{{ due_date }}前答复。"
        "延期理由：{{ extension_reason }}",
    ),
}
#: Every template a province admin may edit: the outcome groups in the order of
#: table 三, then the notices.
GROUP_KEYS = (*_BODIES, *_NOTICES)
TEMPLATE_LABELS = {
    **{g.key: g.label for g in OUTCOME_GROUPS},
    **{key: title for key, (title, _body) in _NOTICES.items()},
}

_REMEDY = (
    "如对本答复不服，可以自收到本答复之日起60日内依法申请行政复议，或者自收到本答复之日起"
    "6个月内依法向人民法院提起行政诉讼。"
)
_SIGNATURE = "{{ office }}\n{{ replied }}"


def office_name(region) -> str:
    """The receiving body (受理机关): the county's civil-affairs bureau or the township."""
    if region.level == "county":
        return f"{region.name}民政局"
    if region.name.endswith("街道"):
        return f"{region.name}办事处"
    return f"{region.name}人民政府"


def office_short_name(region) -> str:
    return region.name


def chinese_date(d: date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def build_default_template(group: str) -> Document:
    """The shipped letter template of one outcome group, as a python-docx Document."""
    if group not in GROUP_KEYS:
        raise ValueError(f"unknown letter template {group!r}")
    document = Document()
    style = document.styles["Normal"]
    style.font.size = Pt(14)
    if group in _NOTICES:
        heading, body = _NOTICES[group]
        texts, number_text, signature = (body,), "", "{{ office }}\n{{ today }}"
    else:
        heading, number_text, signature = (
            "政府信息公开申请答复书",
            "{{ letter_number }}",
            _SIGNATURE,
        )
        texts = (_OPENING, _BODIES[group], _REMEDY)
    title = document.add_paragraph(heading)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.runs[0].bold = True
    title.runs[0].font.size = Pt(20)
    if number_text:
        document.add_paragraph(number_text).alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text in texts:
        for line in text.split("\n"):
            document.add_paragraph(line)
    for line in signature.split("\n"):
        paragraph = document.add_paragraph(line)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.core_properties.title = f"模板：{TEMPLATE_LABELS[group]}"
    document.core_properties.author = ""
    return document


def write_default_templates(directory: Path = DEFAULT_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for group in GROUP_KEYS:
        path = directory / f"{group}.docx"
        build_default_template(group).save(path)
        written.append(path)
    return written


def template_bytes(group: str) -> tuple[bytes, bool]:
    """The Word template in use for ``group`` and whether a province admin uploaded it."""
    uploaded = LetterTemplate.objects.filter(group=group).first()
    if uploaded is not None:
        with uploaded.file.open("rb") as handle:
            return handle.read(), True
    override = getattr(settings, "ONREQUEST_LETTER_TEMPLATE_DIR", "")
    for directory in ([Path(override)] if override else []) + [DEFAULT_DIR]:
        path = directory / f"{group}.docx"
        if path.exists():
            return path.read_bytes(), False
    buffer = io.BytesIO()
    build_default_template(group).save(buffer)
    return buffer.getvalue(), False


def _template(group: str) -> DocxTemplate:
    return DocxTemplate(io.BytesIO(template_bytes(group)[0]))


def letter_context(application: Application) -> dict[str, str]:
    outcome = OUTCOMES_BY_KEY[application.outcome]
    # "1．属于国家秘密" → "属于国家秘密"
    label = re.sub(r"^\d+．", "", str(outcome.label))
    return {
        "applicant_name": application.applicant_name,
        "code": application.code,
        "received": chinese_date(application.received_on),
        "description": application.description,
        "outcome_label": label,
        "article": outcome.article,
        "reply_text": application.reply_text,
        "other_agency": application.other_agency,
        "letter_number": application.letter_number,
        "office": office_name(application.region),
        "replied": chinese_date(application.replied_on),
    }


def render_letter(application: Application) -> bytes:
    """The filled reply letter of an answered application, as docx bytes."""
    outcome = OUTCOMES_BY_KEY[application.outcome]
    return render_template(_template(outcome.group), letter_context(application))


def render_template(template: DocxTemplate, context: dict[str, str]) -> bytes:
    template.render(context, autoescape=True)
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()


def notice_context(application: Application, *, today: date) -> dict[str, str]:
    """The values of a correction or extension notice."""
    return {
        "applicant_name": application.applicant_name,
        "code": application.code,
        "received": chinese_date(application.received_on),
        "correction_note": application.correction_request_note,
        "correction_deadline": chinese_date(application.correction_deadline),
        "approver": application.extension_approver,
        "extension_days": str(application.extension_days or ""),
        "extension_reason": application.extension_reason,
        "due_date": chinese_date(application.due_date),
        "office": office_name(application.region),
        "today": chinese_date(today),
    }


def render_notice(group: str, application: Application, *, today: date) -> bytes:
    """A filled correction or extension notice, as docx bytes."""
    return render_template(_template(group), notice_context(application, today=today))


def sample_context(group: str) -> dict[str, str]:
    """Placeholder values for trying a template (every name the letters use)."""
    outcome = next(
        (o for o in OUTCOMES_BY_KEY.values() if o.group == group),
        OUTCOMES_BY_KEY["disclosed"],
    )
    return {
        "correction_note": "示例：补正事项",
        "correction_deadline": "2026年2月3日",
        "approver": "示例负责人",
        "extension_days": "20",
        "extension_reason": "示例：延期理由",
        "due_date": "2026年3月23日",
        "today": "2026年1月22日",
        "applicant_name": "示例申请人",
        "code": "YSQ20260101EXAMP",
        "received": "2026年1月20日",
        "description": "示例：所需政府信息的描述",
        "outcome_label": re.sub(r"^\d+．", "", str(outcome.label)),
        "article": outcome.article,
        "reply_text": "示例：答复内容。",
        "other_agency": "示例：负责公开该信息的机关",
        "letter_number": "示例依申公开〔2026〕1号",
        "office": "示例民政局",
        "replied": "2026年2月24日",
    }
