"""Controlled vocabularies of the nine elements (豫民文〔2020〕102号 §四, SPEC §2).

The stored values are the official Chinese terms themselves: they are what the
province's tables print, what imported Word files contain, and they never change
with the UI language. Labels go through gettext so the admin can show them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Subject(models.TextChoices):
    """公开主体."""

    COUNTY = "县级人民政府民政部门", _("县级人民政府民政部门")
    TOWNSHIP = "乡镇人民政府（街道办事处）", _("乡镇人民政府（街道办事处）")


class Channel(models.TextChoices):
    """公开渠道和载体, in the order the official table lists them."""

    WEBSITE = "政府网站", _("政府网站")
    GAZETTE = "政府公报", _("政府公报")
    NEW_MEDIA = "两微一端", _("两微一端")
    PRESS = "发布会/听证会", _("发布会/听证会")
    BROADCAST = "广播电视", _("广播电视")
    PRINT = "纸质媒体", _("纸质媒体")
    READING_POINT = "公开查阅点", _("公开查阅点")
    SERVICE_CENTER = "政务服务中心", _("政务服务中心")
    SERVICE_STATION = "便民服务站", _("便民服务站")
    DOOR_TO_DOOR = "入户/现场", _("入户/现场")
    NOTICE_BOARD = (
        "社区/企事业单位/村公示栏（电子屏）",
        _("社区/企事业单位/村公示栏（电子屏）"),
    )
    TARGETED_PUSH = "精准推送", _("精准推送")
    OTHER = "其他", _("其他")


class Audience(models.TextChoices):
    """公开对象."""

    PUBLIC = "全社会", _("全社会")
    SPECIFIC = "特定群体", _("特定群体")


class Mode(models.TextChoices):
    """公开方式."""

    PROACTIVE = "主动", _("主动")
    ON_REQUEST = "依申请", _("依申请")


class Level(models.TextChoices):
    """公开层级."""

    COUNTY = "县级", _("县级")
    TOWNSHIP = "乡级", _("乡级")
    VILLAGE = "村级", _("村级")


SUBJECT_VALUES = tuple(Subject.values)
CHANNEL_VALUES = tuple(Channel.values)
AUDIENCE_VALUES = tuple(Audience.values)
MODE_VALUES = tuple(Mode.values)
LEVEL_VALUES = tuple(Level.values)
