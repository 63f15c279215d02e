from django.urls import path

from parcelguard.parcels import views

app_name = "parcels"
urlpatterns = [
    path("warnings/", views.warning_index, name="warnings"),
    path("warnings/export.xlsx", views.warning_export, name="export"),
    path("warnings/<int:pk>/", views.warning_detail, name="warning"),
    path("warnings/<int:pk>/act/", views.warning_act, name="act"),
    path("analysis/run/", views.analysis_start, name="analyze"),
    path("analysis/auto-convert/", views.auto_convert, name="auto-convert"),
    path("trace/", views.trace, name="trace"),
    path("upload/", views.upload, name="upload"),
]
