from django.urls import path

from parcelguard.training import views

app_name = "training"
urlpatterns = [
    path("", views.index, name="index"),
    path("staff/", views.staff, name="staff"),
    path("courses/<int:pk>/", views.course, name="course"),
    path("courses/<int:pk>/material/<int:n>/", views.material, name="material"),
    path("sessions/new/", views.session_new, name="session-new"),
    path("sessions/<int:pk>/", views.session, name="session"),
    path("exams/new/", views.exam_new, name="exam-new"),
    path("exams/<int:pk>/", views.exam, name="exam"),
    path("certificates/<int:pk>/", views.certificate, name="certificate"),
    path("bank/", views.question_bank, name="bank"),
    path("public/exam/<str:token>/", views.take, name="take"),
    path("public/certificates/<str:token>/", views.verify, name="verify"),
]
