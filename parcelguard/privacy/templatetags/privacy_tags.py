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
    if field not in getattr(obj, "pii_fields", ()):
        return format_html('<span class="masked">{}</span>', text)
    return masked_with_unmask(context.get("request"), text, obj._meta.label_lower, obj.pk, field)


def masked_with_unmask(request: Any, text: str, kind: str, pk: Any, field: str) -> str:
    """A masked value and, for a user who may unmask, its 查看 button. The ONE markup for every place a
    masked value is shown (registry cells and details, tip-off reporters, …); static/js/pii-unmask.js
    asks for the reason and posts it as a form field to /pii/unmask/, which records it."""
    from django.middleware.csrf import get_token

    if request is None or not can_unmask(request.user) or not kind:
        return format_html('<span class="masked">{}</span>', text)
    return format_html(
        '<span class="pii"><span class="masked">{}</span> <button type="button" class="link unmask" '
        'data-kind="{}" data-pk="{}" data-field="{}" data-prompt="{}" data-failed="{}" data-csrf="{}" '
        'title="{}">{}</button></span>',
        text, kind, pk, field, _("State why you need to see this value (it will be recorded)"),
        _("The value could not be shown; try again."), get_token(request),
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
