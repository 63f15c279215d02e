from __future__ import annotations

from typing import Any

from django import forms
from django.db import models

from parcelguard.accounts.models import Jurisdiction, Level
from parcelguard.accounts.roles import Role
from parcelguard.accounts.scoping import scope
from parcelguard.core.pii import mask_field
from parcelguard.registry.kinds import Kind
from parcelguard.registry.models import Enterprise, Site


def form_for(kind: Kind, user: Any, *, data: Any = None, instance: models.Model | None = None) -> forms.ModelForm:
    widgets: dict[str, forms.Widget] = {}
    for name in kind.form_fields:
        field = kind.model._meta.get_field(name)
        if isinstance(field, models.DateField):
            widgets[name] = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        elif isinstance(field, models.TimeField):
            widgets[name] = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    form_class = forms.modelform_factory(kind.model, fields=kind.form_fields, widgets=widgets)
    form = form_class(data=data, instance=instance)
    _mask_personal_fields(form, kind.model, instance)
    # Choices offered are those the user may use: the same scoping as everywhere else.
    for name, bound in form.fields.items():
        if not isinstance(bound, forms.ModelChoiceField):
            continue
        related = bound.queryset.model
        if related is Jurisdiction:
            level = Level.COUNTY if name == "county" else Level.GRID
            base = Jurisdiction.objects.filter(level=level)
            bound.queryset = base if user.role == Role.ENTERPRISE else scope(user, base)
        elif related in (Enterprise, Site):
            bound.queryset = scope(user, related)
    return form


def _mask_personal_fields(form: forms.ModelForm, model: type[models.Model], instance: models.Model | None) -> None:
    """An edit form shows personal data masked too; sending the masked value back keeps the stored one."""
    if instance is None or instance.pk is None:
        return
    for name in getattr(model, "pii_fields", ()):
        stored = str(getattr(instance, name, "") or "")
        if name not in form.fields or not stored:
            continue
        shown = mask_field(name, stored)
        form.initial[name] = shown

        def keep(name: str = name, stored: str = stored, shown: str = shown) -> str:
            value = form.cleaned_data.get(name)
            return stored if value == shown else value

        setattr(form, f"clean_{name}", keep)
