from django.urls import path

from parcelguard.privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.audit, name="audit"),
    path("enterprises/", views.compliance, name="compliance"),
    path("enterprises/export.xlsx", views.compliance_export, name="compliance-export"),
    path("samples/<int:pk>/", views.sample_detail, name="sample"),
    path("samples/<int:pk>/image/<str:which>/", views.sample_image, name="sample-image"),
    path("samples/<int:pk>/event/", views.sample_event, name="sample-event"),
]
