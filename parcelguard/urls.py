from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path

from parcelguard.api.api import api

urlpatterns = [
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("parcelguard.accounts.urls")),
    path("registry/", include("parcelguard.registry.urls")),
    path("trail/", include("parcelguard.trail.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
