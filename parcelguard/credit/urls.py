from django.urls import path

from parcelguard.credit import views

app_name = "credit"
urlpatterns = [
    path("", views.index, name="index"),
    path("export.xlsx", views.export, name="export"),
    path("recompute/", views.recompute, name="recompute"),
    path("method/", views.method, name="method"),
    path("enterprise/<int:pk>/", views.enterprise, name="enterprise"),
    path("<int:pk>/", views.detail, name="detail"),
]
