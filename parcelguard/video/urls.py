from django.urls import path, re_path

from parcelguard.video import views

app_name = "video"
urlpatterns = [
    path("", views.index, name="index"),
    path("cameras/<int:pk>/", views.camera, name="camera"),
    path("cameras/<int:pk>/snapshot/", views.snapshot, name="snapshot"),
    path("snapshots/<int:pk>/", views.snapshot_image, name="snapshot-image"),
    path("snapshots/<int:pk>/review/", views.snapshot_review, name="snapshot-review"),
    path("points/", views.points, name="points"),
    path("patrols/", views.patrols, name="patrols"),
    path("patrols/<int:pk>/", views.patrol, name="patrol"),
    re_path(r"^live/(?P<token>[\w:\-]+)/(?P<name>index\.m3u8|\d{1,9}\.ts)$", views.live, name="live"),
    re_path(r"^rec/(?P<token>[\w:\-]+)/(?P<name>\d{20}_\d{20}-\d{8}T\d{6}\.flv)$", views.recording,
            name="recording"),
]
