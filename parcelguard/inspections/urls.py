from django.urls import path

from parcelguard.inspections import views

app_name = "inspections"
urlpatterns = [
    path("", views.index, name="index"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/step/", views.plan_step, name="plan-step"),
    path("plans/<int:pk>/export/", views.plan_export, name="plan-export"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/fill/", views.fill, name="fill"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("standards/", views.standards, name="standards"),
    path("standards/new/", views.standard_new, name="standard-new"),
    path("standards/<int:pk>/", views.standard_detail, name="standard"),
    path("standards/<int:pk>/edit/", views.standard_edit, name="standard-edit"),
    path("inspectors/", views.inspectors, name="inspectors"),
    path("standards/<int:pk>/step/", views.standard_step, name="standard-step"),
    path("standards/<int:pk>/export/", views.standard_export, name="standard-export"),
    path("public/", views.public_index, name="public"),
    path("public/plans/<int:pk>/", views.public_plan, name="public-plan"),
]
