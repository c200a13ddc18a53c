"""The site's URLs: the Kakao login app at the root."""

from django.urls import include, path

urlpatterns = [path("", include("kakao_login.urls"))]
