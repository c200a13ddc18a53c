"""The admin client: Kakao's server-side APIs with the app's admin key (``KakaoAK``).

``KakaoAdmin`` blocks (requests); ``AsyncKakaoAdmin`` is awaited (httpx). Both have the same
methods, each written once below (see ``faces``), and share the provider's limits: a deadline per
call, a cap on the answer's size, pooled connections.

The admin key is a secret with the power of every user's token: keep it on the server (never in
a browser or an app binary). It is never part of a repr, a log line or an error message. The
JavaScript and native app keys are public; the REST API key with its client secret, and the admin
key, are not.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Collection, Iterable, Iterator, Mapping
from inspect import Parameter
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from authlib_kakao.core.calls import (
    LOGOUT,
    REVOKE_SCOPES,
    REVOKE_SERVICE_TERMS,
    SCOPES,
    SERVICE_TERMS,
    SHIPPING_ADDRESSES,
    TALK_CHANNELS,
    UNLINK,
    UPGRADE_SERVICE_TERMS,
    USER_IDS,
    USER_ME,
    KakaoCall,
)
from authlib_kakao.core.endpoints import KAPI_URL, KakaoEndpoints
from authlib_kakao.core.flows import (
    app_users_flow,
    call_flow,
    missing_service_terms_flow,
    user_ids_flow,
)
from authlib_kakao.core.messages import HTTPRequest
from authlib_kakao.core.shapes import AppUser
from authlib_kakao.errors import KakaoConfigError
from authlib_kakao.faces import (
    Bound,
    BoundStream,
    astreaming,
    awaited,
    blocking,
    derived,
    kakao_parameters,
    refuse_unknown,
    streaming,
)
from authlib_kakao.http.connection import (
    AsyncKakaoConnection,
    BaseConnection,
    KakaoConnection,
    check_kind,
)
from authlib_kakao.settings import DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT
from authlib_kakao.validation import check_url

__all__ = ["AsyncKakaoAdmin", "KakaoAdmin"]

P = ParamSpec("P")
T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class _AdminBase:
    """Configuration and request building shared by both admin clients; no I/O."""

    _connection_cls: type[BaseConnection]

    def __init__(
        self,
        admin_key: str,
        *,
        kapi_url: str = KAPI_URL,
        timeout: float = DEFAULT_TIMEOUT,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        client_kwargs: Mapping[str, Any] | None = None,
        sleep: Callable[[float], Any] | None = None,
        connection: BaseConnection | None = None,
    ) -> None:
        if not isinstance(admin_key, str) or not admin_key.strip():
            raise KakaoConfigError(
                "admin_key must be the app's admin key from [App] > [App Keys] (a non-empty string)"
            )
        self._admin_key = admin_key.strip()
        if connection is None:
            connection = self._connection_cls.configured(
                KakaoEndpoints(kapi_url=check_url("kapi_url", kapi_url)),
                timeout=timeout,
                max_response_bytes=max_response_bytes,
                client_kwargs=client_kwargs,
            )
        else:
            check_kind(connection, self._connection_cls, self)
            if (kapi_url, timeout, max_response_bytes, client_kwargs) != (
                KAPI_URL, DEFAULT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, None,
            ):  # fmt: skip
                raise KakaoConfigError(
                    "give either connection= or kapi_url/timeout/max_response_bytes/"
                    "client_kwargs: a shared connection brings its own"
                )
        self.connection = connection
        # How rate-limit waits wait: time.sleep / asyncio.sleep unless a test moves a clock instead.
        self._sleep = sleep

    @property
    def endpoints(self) -> KakaoEndpoints:
        """Kakao's URLs, as the connection knows them."""
        return self.connection.settings.endpoints

    @property
    def timeout(self) -> float:
        """Seconds for each call as a whole."""
        return self.connection.timeout

    def __repr__(self) -> str:
        return f"{type(self).__name__}(kapi_url={self.endpoints.kapi_url!r})"  # never the key

    def _request(
        self, call: KakaoCall[..., Any], params: Mapping[str, object] | None, user_id: int | None
    ) -> HTTPRequest:
        return call.request(self.endpoints, params, admin_key=self._admin_key, user_id=user_id)


# -- the methods, each written once ------------------------------------------------------------
# A single call's builder is derived from its catalogue row; operations of several requests are
# written out.

_CLIENT = Parameter("client", Parameter.POSITIONAL_ONLY, annotation=_AdminBase)
_USER_ID = Parameter("user_id", Parameter.POSITIONAL_OR_KEYWORD, annotation=int)


class _PerUserBuilder(Protocol[P, T_co]):
    def __call__(
        self, client: _AdminBase, /, user_id: int, *args: P.args, **kwargs: P.kwargs
    ) -> Bound[T_co]: ...


def admin_method(call: KakaoCall[P, T]) -> _PerUserBuilder[P, T]:
    """The builder of the admin client's method for ``call`` made for one user (``admin=True``):
    ``user_id``, then the row's parameters (without the app's ``**kwargs`` for Authlib)."""
    if not call.admin:
        raise TypeError(f"Kakao does not take the admin key for {call.name}")
    names = {p.name for p in kakao_parameters(call) if p.kind is not p.VAR_KEYWORD}

    def builder(client: _AdminBase, /, user_id: int, *args: P.args, **kwargs: P.kwargs) -> Bound[T]:
        refuse_unknown(call, kwargs, names)
        return Bound(call_flow(call, client._request(call, call.params(*args, **kwargs), user_id)))

    return derived(builder, call, [_CLIENT, _USER_ID], var_keyword=False)


def app_method(call: KakaoCall[P, T]) -> Callable[Concatenate[_AdminBase, P], Bound[T]]:
    """The builder of the admin client's method for an admin-key-only ``call`` about the app."""
    if call.auth != "admin":
        raise TypeError(f"{call.name} is not an admin-key call")

    def builder(client: _AdminBase, /, *args: P.args, **kwargs: P.kwargs) -> Bound[T]:
        return Bound(call_flow(call, client._request(call, call.params(*args, **kwargs), None)))

    return derived(builder, call, [_CLIENT], var_keyword=False)


user_ids = app_method(USER_IDS)
me = admin_method(USER_ME)
logout = admin_method(LOGOUT)
unlink = admin_method(UNLINK)
scopes = admin_method(SCOPES)
revoke_scopes = admin_method(REVOKE_SCOPES)
service_terms = admin_method(SERVICE_TERMS)
revoke_service_terms = admin_method(REVOKE_SERVICE_TERMS)
upgrade_service_terms = admin_method(UPGRADE_SERVICE_TERMS)
shipping_addresses = admin_method(SHIPPING_ADDRESSES)
talk_channels = admin_method(TALK_CHANNELS)


def iter_user_ids(
    client: _AdminBase, /, order: str = "asc", max_wait: float = 120.0
) -> BoundStream:
    """Every user id of the app, page after page, in constant memory: follows Kakao's own
    ``after_url``, waits out its rate limit (``Retry-After``; up to ``max_wait`` seconds each time
    it is met) and resumes, never losing or repeating an id."""
    return BoundStream(
        user_ids_flow(client.endpoints, client._admin_key, order=order, max_wait=max_wait)
    )


def users(
    client: _AdminBase, /, ids: Iterable[int | str], property_keys: Iterable[str] | None = None
) -> Bound[list[AppUser]]:
    """Many users at once (``/v2/app/users``), batched past Kakao's 100 ids a call (20 with
    ``property_keys``), in the order asked; unknown ids are left out."""
    keys = list(property_keys) if property_keys is not None else None
    return Bound(app_users_flow(client.endpoints, client._admin_key, ids, keys))


def missing_service_terms(
    client: _AdminBase, /, user_id: int, required_tags: Collection[str]
) -> Bound[list[str]]:
    """The ``required_tags`` the user has not agreed to."""
    request = client._request(SERVICE_TERMS, {"result": "agreed_service_terms"}, user_id)
    return Bound(missing_service_terms_flow(request, required_tags))


# -- the two faces ----------------------------------------------------------------------------


class KakaoAdmin(_AdminBase):
    """Kakao's admin APIs, blocking (requests).

    Args:
        admin_key: the app's admin key ([App] > [App Keys]); a secret.
        kapi_url: Kakao's API host (the emulator's URL in tests).
        timeout: seconds for each call as a whole.
        max_response_bytes: the largest answer read.
        client_kwargs: requests session options (``verify``, ``proxies`` …).
        sleep: how to wait out a rate limit (``time.sleep``; a test may move a clock instead).
        connection: a connection to share instead (``kakao.connection`` of a Flask or Django
            app: one pool, one JWKS cache); it brings its own URL, timeout and limits.
    """

    _connection_cls = KakaoConnection
    connection: KakaoConnection

    user_ids = blocking(user_ids)
    iter_user_ids = streaming(iter_user_ids)
    users = blocking(users)
    me = blocking(me)
    logout = blocking(logout)
    unlink = blocking(unlink)
    scopes = blocking(scopes)
    revoke_scopes = blocking(revoke_scopes)
    service_terms = blocking(service_terms)
    revoke_service_terms = blocking(revoke_service_terms)
    upgrade_service_terms = blocking(upgrade_service_terms)
    missing_service_terms = blocking(missing_service_terms)
    shipping_addresses = blocking(shipping_addresses)
    talk_channels = blocking(talk_channels)

    def close(self) -> None:
        """Close the pooled connections (a later call opens new ones)."""
        self.connection.close()

    def _run(self, bound: Bound[T]) -> T:
        return self.connection.run(bound.flow, sleep=self._sleep)

    def _stream(self, bound: BoundStream) -> Iterator[Any]:
        return self.connection.stream(bound.flow, sleep=self._sleep)


class AsyncKakaoAdmin(_AdminBase):
    """Kakao's admin APIs, awaited (httpx); the arguments of :class:`KakaoAdmin` (``sleep`` is
    awaited: ``asyncio.sleep`` by default)."""

    _connection_cls = AsyncKakaoConnection
    connection: AsyncKakaoConnection

    user_ids = awaited(user_ids)
    iter_user_ids = astreaming(iter_user_ids)
    users = awaited(users)
    me = awaited(me)
    logout = awaited(logout)
    unlink = awaited(unlink)
    scopes = awaited(scopes)
    revoke_scopes = awaited(revoke_scopes)
    service_terms = awaited(service_terms)
    revoke_service_terms = awaited(revoke_service_terms)
    upgrade_service_terms = awaited(upgrade_service_terms)
    missing_service_terms = awaited(missing_service_terms)
    shipping_addresses = awaited(shipping_addresses)
    talk_channels = awaited(talk_channels)

    async def close(self) -> None:
        """Close this event loop's pooled connections (also done when the loop shuts down)."""
        await self.connection.close()

    async def _run(self, bound: Bound[T]) -> T:
        return await self.connection.run(bound.flow, sleep=self._sleep)

    def _stream(self, bound: BoundStream) -> AsyncIterator[Any]:
        return self.connection.stream(bound.flow, sleep=self._sleep)
