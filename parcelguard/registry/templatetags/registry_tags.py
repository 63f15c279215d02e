from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from parcelguard.accounts.scoping import can_unmask
from parcelguard.registry.display import is_pii, show

register = template.Library()


@register.simple_tag(takes_context=True)
def cell(context: dict[str, Any], obj: Any, path: str, kind_slug: str = "") -> str:
    text = show(obj, path)
    if not is_pii(type(obj), path) or not text:
        return format_html("{}", text)
    user = context["request"].user
    if not can_unmask(user) or not kind_slug:
        return format_html('<span class="masked">{}</span>', text)
    return format_html(
        '<span class="masked">{}</span> <button type="button" class="link unmask" hx-post="/pii/unmask/" '
        'hx-vals=\'{{"kind": "{}", "pk": "{}", "field": "{}"}}\' hx-prompt="{}" hx-target="closest td" '
        'title="{}">{}</button>',
        text, kind_slug, obj.pk, path, _("State why you need to see this value (it will be recorded)"),
        _("Show the full value (a reason is required)"), _("Show"),
    )


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], **changes: Any) -> str:
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + params.urlencode()


@register.simple_tag
def label(kind: Any, path: str) -> str:
    """A field's name in the user's language (import headers stay fixed Chinese; labels follow the language)."""
    from django.utils.text import capfirst

    try:
        return str(capfirst(kind.model._meta.get_field(path).verbose_name))
    except Exception:
        return path
