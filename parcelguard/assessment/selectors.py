"""Reads of assessment and circulars, always through the scoping layer: the city (and the procurator) sees
every county's line of a published assessment, a county centre its own line and rank; an enterprise sees
only the circulars addressed to it."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from parcelguard.accounts.roles import Role
from parcelguard.accounts.scoping import scope
from parcelguard.assessment.models import Assessment, Circular, CountyScore

READERS = (Role.CITY_BUREAU, Role.COUNTY_CENTRE, Role.PROCURATOR, Role.ADMIN)


def can_read_assessments(user: Any) -> bool:
    return getattr(user, "role", None) in READERS


def assessments(user: Any) -> QuerySet[Assessment]:
    """Published assessments of the user's city: a county centre reads its city's (its own line only)."""
    if not can_read_assessments(user) or user.jurisdiction_id is None:
        return Assessment.objects.none()
    path = user.jurisdiction.path
    city_path = "/".join([p for p in path.split("/") if p][:1]) + "/"
    return Assessment.objects.filter(jurisdiction_path=city_path).select_related("method", "published_by", "city")


def scores(user: Any, assessment: Assessment) -> QuerySet[CountyScore]:
    """Every county's line: the result is published to all the city's county centres (the ranking is the
    point); the records behind a line are read through scoping (`records_allowed`)."""
    if not assessments(user).filter(pk=assessment.pk).exists():
        return CountyScore.objects.none()
    return assessment.scores.select_related("county").order_by("rank", "county__code")


def records_allowed(user: Any, county: Any) -> bool:
    """Only whoever's area holds the county reads the records behind its figures."""
    return bool(user.jurisdiction_id) and county.path.startswith(user.jurisdiction.path)


def circulars(user: Any) -> QuerySet[Circular]:
    if getattr(user, "role", None) == Role.GRID_WORKER:
        return Circular.objects.none()
    return scope(user, Circular).select_related("issuer", "issued_by", "pdf")


def can_issue_circular(user: Any) -> bool:
    return getattr(user, "role", None) in (Role.CITY_BUREAU, Role.COUNTY_CENTRE)
