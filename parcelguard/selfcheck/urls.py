from django.urls import path

from parcelguard.selfcheck import views

app_name = "selfcheck"
urlpatterns = [
    path("", views.index, name="index"),
    path("draw/", views.draw, name="draw-new"),
    path("draw/<int:pk>/", views.draw_detail, name="draw"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/check/", views.check, name="check"),
]
