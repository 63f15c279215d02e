from django.urls import path

from parcelguard.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("ping", views.ping, name="ping"),
    path("districts.geojson", views.districts, name="districts"),
    path("events/", views.event_list, name="events"),
    path("events/export.xlsx", views.event_export, name="events-export"),
    path("duty/", views.duty_page, name="duty"),
    path("duty.pdf", views.duty_pdf, name="duty-pdf"),
    path("duty.xlsx", views.duty_export, name="duty-export"),
    path("reports/", views.report_list, name="reports"),
    path("reports/new/", views.report_generate, name="report-new"),
    path("reports/export.xlsx", views.report_export, name="reports-export"),
    path("reports/<int:pk>.pdf", views.report_download, name="report"),
]
