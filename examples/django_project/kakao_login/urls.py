"""The Kakao login's URLs."""

from django.urls import path

from kakao_login import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login", views.login, name="login"),
    path("auth", views.auth, name="auth"),
    path("profile", views.profile, name="profile"),
    path("logout", views.logout, name="logout"),
    path("logged-out", views.logged_out, name="logged_out"),
    path("kakao/unlink", views.unlink_webhook, name="unlink_webhook"),
]
