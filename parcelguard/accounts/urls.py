from django.urls import path

from parcelguard.accounts import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("pii/unmask/", views.unmask, name="unmask"),
    path("account/tokens/", views.tokens, name="tokens"),
]
