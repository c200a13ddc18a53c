"""Each Kakao method written once, served as a blocking method and as a coroutine.

A method is written as a *builder*: a function of the client and the caller's arguments that
returns a :class:`Bound` flow (the core flow plus what the sender needs: Authlib's ``token=`` /
``request=``). :func:`blocking` and :func:`awaited` turn one builder into the method of the sync
face (Flask, Django, ``KakaoAdmin``) and of the async face (Starlette, ``AsyncKakaoAdmin``); the
method keeps the builder's name, docstring and signature (``ParamSpec``: editors and type checkers
see the real parameters and the real result). :func:`streaming` and :func:`astreaming` do the same
for flows that emit results one by one.

A face provides ``_run(bound)`` (and ``_stream(bound)``) and nothing else per method.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable, Coroutine, Generator, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar

from authlib_kakao.core.flows import Flow, Step

__all__ = ["Bound", "BoundStream", "astreaming", "awaited", "blocking", "streaming"]

T = TypeVar("T")
S = TypeVar("S")
P = ParamSpec("P")


@dataclass(frozen=True)
class Bound(Generic[T]):
    """A flow, and the keyword arguments its bearer calls pass to Authlib (``token``, ``request``)."""

    flow: Flow[T]
    send_kwargs: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BoundStream:
    """A flow that emits its results (:class:`~authlib_kakao.core.messages.Emit`) as it goes."""

    flow: Generator[Step, object, None]
    send_kwargs: Mapping[str, Any] = field(default_factory=dict)


def blocking(builder: Callable[Concatenate[S, P], Bound[T]]) -> Callable[Concatenate[S, P], T]:
    """The sync face's method for ``builder``."""

    @functools.wraps(builder)
    def method(self: S, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return self._run(builder(self, *args, **kwargs))  # type: ignore[attr-defined,no-any-return]

    return method


def awaited(
    builder: Callable[Concatenate[S, P], Bound[T]],
) -> Callable[Concatenate[S, P], Coroutine[Any, Any, T]]:
    """The async face's method for ``builder``."""

    @functools.wraps(builder)
    async def method(self: S, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return await self._run(builder(self, *args, **kwargs))  # type: ignore[attr-defined,no-any-return]

    return method


def streaming(
    builder: Callable[Concatenate[S, P], BoundStream],
) -> Callable[Concatenate[S, P], Iterator[Any]]:
    """The sync face's iterator method for a streaming ``builder``."""

    @functools.wraps(builder)
    def method(self: S, /, *args: P.args, **kwargs: P.kwargs) -> Iterator[Any]:
        return self._stream(builder(self, *args, **kwargs))  # type: ignore[attr-defined,no-any-return]

    return method


def astreaming(
    builder: Callable[Concatenate[S, P], BoundStream],
) -> Callable[Concatenate[S, P], AsyncIterator[Any]]:
    """The async face's async-iterator method for a streaming ``builder``."""

    @functools.wraps(builder)
    def method(self: S, /, *args: P.args, **kwargs: P.kwargs) -> AsyncIterator[Any]:
        return self._stream(builder(self, *args, **kwargs))  # type: ignore[attr-defined,no-any-return]

    return method
