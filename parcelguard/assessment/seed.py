"""The first published county assessment method (莆田市寄递安全综治考评办法, version 1): the weights as data."""

from __future__ import annotations

from typing import Any

TITLE = "莆田市县区寄递安全综治考评办法（2026版）"
ITEMS = [
    {"code": "closure_rate", "indicator": "closure_rate", "label": "隐患闭环结案率", "weight": "25"},
    {"code": "ontime_rate", "indicator": "ontime_rate", "label": "按期结案率", "weight": "20"},
    {"code": "county_share", "indicator": "county_share", "label": "县区层级办结占比", "weight": "15"},
    {"code": "overdue_free", "indicator": "overdue_free", "label": "在办事项未逾期率", "weight": "10"},
    {"code": "inspections_done", "indicator": "inspections_done", "label": "执法检查按期完成率", "weight": "15"},
    {"code": "selfcheck_ontime", "indicator": "selfcheck_ontime", "label": "企业履职月报告按时率", "weight": "15"},
]


def seed(apps: Any, schema_editor: Any) -> None:
    Method = apps.get_model("assessment", "Method")
    from django.utils import timezone

    Method.objects.update_or_create(version=1, defaults={"title": TITLE, "items": ITEMS,
                                                         "published_at": timezone.now()})
