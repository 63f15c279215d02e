from django.urls import path

from parcelguard.assessment import views

app_name = "assessment"
urlpatterns = [
    path("", views.index, name="index"),
    path("publish/", views.publish, name="publish"),
    path("method/", views.method, name="method"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>.pdf", views.pdf, name="pdf"),
    path("<int:pk>/records/<str:county>/<str:item>/", views.records, name="records"),
    path("circulars/", views.circulars, name="circulars"),
    path("circulars/<int:pk>/", views.circular, name="circular"),
    path("circulars/<int:pk>.pdf", views.circular_pdf, name="circular-pdf"),
]
