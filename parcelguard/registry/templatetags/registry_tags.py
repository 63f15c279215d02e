from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

from parcelguard.registry.display import is_pii, show

register = template.Library()


@register.simple_tag(takes_context=True)
def cell(context: dict[str, Any], obj: Any, path: str, kind_slug: str = "") -> str:
    text = show(obj, path)
    if not is_pii(type(obj), path) or not text:
        return format_html("{}", text)
    from parcelguard.privacy.templatetags.privacy_tags import masked_with_unmask

    return masked_with_unmask(context.get("request"), text, kind_slug, obj.pk, path)


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
