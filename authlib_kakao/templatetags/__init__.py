"""Django template tags: ``{% load kakao %}`` (add ``"authlib_kakao"`` to ``INSTALLED_APPS``)."""

__all__: list[str] = []
