"""The first published rating method (莆田市寄递企业信用评价办法, 2026 version 1): the rules as data."""

from __future__ import annotations

from typing import Any

RULES = [
    {"code": "hazard_event", "source": "hazard_event", "label": "隐患事件", "points": "1", "cap": "20"},
    {"code": "event_escalated", "source": "event_escalated", "label": "逾期未整改转报市局", "points": "3", "cap": "15"},
    {"code": "event_rework", "source": "event_rework", "label": "整改返工", "points": "2", "cap": "10"},
    {"code": "penalty_case", "source": "penalty_case", "label": "行政处罚决定", "points": "5", "cap": "20"},
    {"code": "fine_amount", "source": "fine_amount", "label": "罚款金额（每万元）", "points": "2", "cap": "20"},
    {"code": "early_warning", "source": "early_warning", "label": "寄递数据预警", "points": "0.5", "cap": "10"},
    {"code": "selfcheck_late", "source": "selfcheck_late", "label": "履职月报告迟报", "points": "2", "cap": "10"},
    {"code": "selfcheck_false", "source": "selfcheck_false", "label": "履职月报告不实", "points": "10", "cap": "20"},
    {"code": "selfcheck_missing", "source": "selfcheck_missing", "label": "履职月报告漏报", "points": "4", "cap": "16"},
]
GRADES = [{"grade": "A", "min": "90"}, {"grade": "B", "min": "75"}, {"grade": "C", "min": "60"},
          {"grade": "D", "min": "0"}]
TITLE = "莆田市寄递企业信用评价办法（2026版）"


def seed(apps: Any, schema_editor: Any) -> None:
    RuleSet = apps.get_model("credit", "RuleSet")
    from django.utils import timezone

    RuleSet.objects.update_or_create(version=1, defaults={
        "title": TITLE, "base": 100, "window_days": 365, "rules": RULES, "grades": GRADES,
        "published_at": timezone.now()})
