"""Template helpers for personal data outside the registry, and the enterprise's privacy-waybill block.

    {% pii obj "reporter_phone" %}   masked value, with a 查看 button for a user who may unmask
    {{ text|mask_pii }}              free text with any name, phone, address or ID number masked
    {% enterprise_privacy obj %}     the privacy-waybill numbers on an enterprise's page
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from parcelguard.accounts.scoping import can_unmask
from parcelguard.core.pii import mask_field

register = template.Library()


@register.simple_tag(takes_context=True)
def pii(context: dict[str, Any], obj: Any, field: str) -> str:
    value = str(getattr(obj, field, "") or "")
    if not value:
        return ""
    text = mask_field(field, value)
    request = context.get("request")
    if request is None or not can_unmask(request.user) or field not in getattr(obj, "pii_fields", ()):
        return format_html('<span class="masked">{}</span>', text)
    return format_html(
        '<span class="pii"><span class="masked">{}</span> <button type="button" class="link unmask" '
        'hx-post="/pii/unmask/" hx-vals=\'{{"kind": "{}", "pk": "{}", "field": "{}"}}\' hx-prompt="{}" '
        'hx-target="closest .pii" title="{}">{}</button></span>',
        text, obj._meta.label_lower, obj.pk, field, _("State why you need to see this value (it will be recorded)"),
        _("Show the full value (a reason is required)"), _("Show"))


@register.filter
def mask_pii(text: Any) -> str:
    """Free text (a description, a tip-off) with personal data masked: what a page may show by default."""
    from parcelguard.core.pii import mask_text

    return mask_text(str(text)) if text else ""


@register.inclusion_tag("privacy/_enterprise_status.html", takes_context=True)
def enterprise_privacy(context: dict[str, Any], enterprise: Any) -> dict[str, Any]:
    from parcelguard.privacy.selectors import enterprise_status

    return {"status": enterprise_status(user=context["request"].user, enterprise=enterprise),
            "enterprise": enterprise}
