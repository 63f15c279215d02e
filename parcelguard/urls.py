from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path

from parcelguard.accounts.admin import site as admin_site
from parcelguard.api.api import api
from parcelguard.core.views import work
from parcelguard.events.public import tipoff

urlpatterns = [
    path("admin/", admin_site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("parcelguard.accounts.urls")),
    path("work/", work, name="work"),
    path("registry/", include("parcelguard.registry.urls")),
    path("events/", include("parcelguard.events.urls")),
    path("report/", tipoff, name="tipoff"),
    path("trail/", include("parcelguard.trail.urls")),
    path("privacy/", include("parcelguard.privacy.urls")),
    path("parcels/", include("parcelguard.parcels.urls")),
    path("analytics/", include("parcelguard.analytics.urls")),
    path("selfcheck/", include("parcelguard.selfcheck.urls")),
    path("inspections/", include("parcelguard.inspections.urls")),
    path("oversight/", include("parcelguard.oversight.urls")),
    path("credit/", include("parcelguard.credit.urls")),
    path("assessment/", include("parcelguard.assessment.urls")),
    path("training/", include("parcelguard.training.urls")),
    path("emergency/", include("parcelguard.emergency.urls")),
    path("partners/", include("parcelguard.partners.urls")),
    path("video/", include("parcelguard.video.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)


def _not_found(request, exception=None):  # type: ignore[no-untyped-def]
    """JSON for the API (machine clients), the page for everybody else."""
    from django.http import JsonResponse
    from django.shortcuts import render
    from django.utils.translation import gettext as _

    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": "not_found", "message": _("No such API route.")}}, status=404)
    return render(request, "error.html", {"message": _("Page not found.")}, status=404)


handler404 = _not_found
