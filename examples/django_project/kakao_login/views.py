"""Kakao login on Django, complete: login, callback, profile, refresh, logout and the unlink webhook.

Tokens live in the :class:`~kakao_login.models.KakaoToken` model; ``update_token`` stores every
refreshed token, ``fetch_token`` reads the logged-in user's (``kakao_login/kakao.py``).
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from authlib_kakao import KakaoError
from kakao_login.kakao import WEBHOOK_KEYS, kakao
from kakao_login.models import KakaoToken


def _logged_in(request: HttpRequest) -> KakaoToken | None:
    return KakaoToken.objects.filter(user_id=request.session.get("kakao_user_id")).first()


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if _logged_in(request) is None:
        return HttpResponse('<a href="/login">Log in with Kakao</a>')
    form = (
        '<form method="post" action="/logout"><input type="hidden" name="csrfmiddlewaretoken" '
        'value="{}"><input type="hidden" name="kakao_account" value="{}"><button>{}</button></form>'
    )
    csrf = get_token(request)
    return HttpResponse(
        format_html(
            '<p>Logged in as {}. <a href="/profile">Profile</a></p>',
            request.session.get("nickname", ""),
        )
        + format_html(form, csrf, "", "Log out")
        + format_html(form, csrf, "1", "Log out of Kakao too")
    )


@require_GET
def login(request: HttpRequest) -> HttpResponse:
    redirect_uri = request.build_absolute_uri(reverse("auth"))
    response: HttpResponse = kakao.authorize_redirect(request, redirect_uri)
    return response


@require_GET
def auth(request: HttpRequest) -> HttpResponse:
    token = kakao.authorize_access_token(request)  # the id_token is verified: claims in "userinfo"
    claims = token["userinfo"]
    user_id = int(claims["sub"])
    KakaoToken.objects.update_or_create(user_id=user_id, defaults=KakaoToken.fields(token))
    request.session["kakao_user_id"] = user_id
    request.session["nickname"] = claims.get("nickname", "")
    return redirect("home")


@require_GET
def profile(request: HttpRequest) -> HttpResponse:
    if _logged_in(request) is None:
        return redirect("login")
    # request=: fetch_token reads the stored token; an expired one is refreshed on the way and the
    # new one stored by update_token.
    claims: dict[str, Any] = dict(kakao.userinfo(request=request))
    return JsonResponse(claims)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    row = _logged_in(request)
    if row is not None:
        # An expired or revoked token cannot log out at Kakao: logging out here still counts.
        with suppress(KakaoError):
            kakao.logout(token=row.to_token())  # ends the token at Kakao
        row.delete()
    wants_kakao_logout = bool(request.POST.get("kakao_account"))
    request.session.flush()
    if wants_kakao_logout:
        # Also end the Kakao Account's session in this browser (shared computers).
        logged_out_uri = request.build_absolute_uri(reverse("logged_out"))
        response: HttpResponseRedirect = kakao.logout_redirect(request, logged_out_uri)
        return response
    return redirect("home")


@require_GET
def logged_out(request: HttpRequest) -> HttpResponse:
    # A plain page, not one that needs a login: a login here would loop through Kakao.
    return HttpResponse('Logged out. <a href="/">Home</a>')


@csrf_exempt  # Kakao calls it, with its admin key instead of a CSRF token
@require_http_methods(["GET", "POST"])
def unlink_webhook(request: HttpRequest) -> HttpResponse:
    """Kakao's unlink webhook: the user left the app on Kakao's side; forget their token."""
    # Imported here, where it is used: the rest of the site runs without the webhook module.
    from authlib_kakao.webhooks import (
        WebhookAuthError,
        WebhookPayloadError,
        verify_unlink_callback,
    )

    if not WEBHOOK_KEYS["admin_key"]:
        return HttpResponse("the unlink webhook needs KAKAO_ADMIN_KEY", status=404)
    params = request.POST if request.method == "POST" else request.GET
    try:
        event = verify_unlink_callback(
            authorization=request.headers.get("Authorization"),
            params=dict(params.lists()),  # every value: a repeated field is refused
            admin_key=WEBHOOK_KEYS["admin_key"],
            app_id=WEBHOOK_KEYS["app_id"],
        )
    except WebhookAuthError:
        return HttpResponse(status=401)
    except WebhookPayloadError:
        return HttpResponse(status=400)
    KakaoToken.objects.filter(user_id=event.user_id).delete()
    return HttpResponse(status=200)
