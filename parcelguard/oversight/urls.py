from django.urls import path

from parcelguard.oversight import views

app_name = "oversight"
urlpatterns = [
    path("", views.index, name="index"),
    path("cases/new/", views.case_new, name="case-new"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/record/", views.case_record, name="case-record"),
    path("cases/<int:pk>/recommend/", views.case_recommend, name="case-recommend"),
    path("cases/<int:pk>/close/", views.case_close, name="case-close"),
    path("cases/<int:pk>/bundle.zip", views.case_bundle, name="case-bundle"),
    path("recommendations/<int:pk>/", views.recommendation, name="recommendation"),
    path("recommendations/<int:pk>/act/<str:action>/", views.recommendation_act, name="act"),
    path("recommendations/<int:pk>/tasks/", views.task_new, name="task-new"),
    path("recommendations/<int:pk>/reply.pdf", views.reply_pdf, name="reply-pdf"),
    path("recommendations/<int:pk>/bundle.zip", views.recommendation_bundle, name="bundle"),
    path("tasks/<int:pk>/", views.task, name="task"),
    path("tasks/<int:pk>/done/", views.task_done, name="task-done"),
]
