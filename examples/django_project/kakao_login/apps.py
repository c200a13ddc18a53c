"""The Kakao login app."""

from django.apps import AppConfig


class KakaoLoginConfig(AppConfig):
    name = "kakao_login"
    default_auto_field = "django.db.models.BigAutoField"
