from django.urls import path

from parcelguard.events import views

app_name = "events"
urlpatterns = [
    path("", views.event_index, name="list"),
    path("export.xlsx", views.event_export, name="export"),
    path("new/", views.event_new, name="new"),
    path("cases/", views.case_index, name="cases"),
    path("inbox/", views.inbox, name="inbox"),
    path("rewards/", views.rewards, name="rewards"),
    path("rewards/<int:pk>/<str:step>/", views.reward_act, name="reward-act"),
    path("<int:pk>/", views.event_detail, name="detail"),
    path("<int:pk>/act/<str:action>/", views.event_act, name="act"),
    path("<int:pk>/bundle.zip", views.event_bundle, name="bundle"),
    path("<int:pk>/evidence/<int:attachment>/", views.evidence_download, name="evidence"),
]
