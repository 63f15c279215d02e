from django.urls import path

from parcelguard.emergency import views

app_name = "emergency"
urlpatterns = [
    path("", views.incident_list, name="index"),
    path("incidents/new/", views.incident_new, name="incident-new"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident"),
    path("incidents/<int:pk>/step/", views.incident_step, name="incident-step"),
    path("incidents/<int:pk>/evidence/<int:evidence>/", views.incident_evidence, name="incident-evidence"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/file/", views.plan_download, name="plan-file"),
    path("drills/", views.drill_list, name="drills"),
    path("drills/<int:pk>/", views.drill_detail, name="drill"),
    path("drills/<int:pk>/actions/", views.drill_action_add, name="drill-action-add"),
    path("actions/<int:pk>/step/", views.action_step, name="action-step"),
]
