from django.urls import path

from parcelguard.registry import import_views, views

app_name = "registry"
urlpatterns = [
    path("import/", import_views.import_upload, name="import"),
    path("import/<str:token>/", import_views.import_confirm, name="import-confirm"),
    path("machines/<int:pk>/windows/", views.machine_window, name="machine-window"),
    path("<str:slug>/", views.registry_index, name="list"),
    path("<str:slug>/export.xlsx", views.registry_export, name="export"),
    path("<str:slug>/new/", views.registry_edit, name="create"),
    path("<str:slug>/<int:pk>/", views.registry_detail, name="detail"),
    path("<str:slug>/<int:pk>/edit/", views.registry_edit, name="edit"),
]
