"""Each Kakao method written once, served as a blocking method and as a coroutine.

A method is written as a *builder*: a function of the client and the caller's arguments that
returns a :class:`Bound` flow (the core flow plus what the sender needs: Authlib's ``token=`` /
``request=``). :func:`blocking` and :func:`awaited` turn one builder into the method of the sync
face (Flask, Django, ``KakaoAdmin``) and of the async face (Starlette, ``AsyncKakaoAdmin``); the
method keeps the builder's name, docstring and signature (``ParamSpec``: editors and type checkers
see the real parameters and the real result). :func:`streaming` and :func:`astreaming` do the same
for flows that emit results one by one.

A face provides ``_run(bound)`` (and ``_stream(bound)``) and nothing else per method.

The builders of single-call methods are derived from their catalogue row
(``user_api.user_method``, ``admin.admin_method``); :func:`derived` gives such a builder the
row's name, docstring and signature, so ``help()``, Sphinx and ``inspect.signature`` show the same
parameters the type checker sees.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import (
    AsyncIterator,
    Callable,
    Collection,
    Coroutine,
    Generator,
    Iterator,
    Mapping,
    Sequence,
)
from dataclasses import dataclass, field
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar

from authlib_kakao.core.calls import KakaoCall
from authlib_kakao.core.flows import Flow, Step

__all__ = [
    "Bound",
    "BoundStream",
    "astreaming",
    "awaited",
    "blocking",
    "derived",
    "kakao_parameters",
    "refuse_unknown",
    "streaming",
]

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
B = TypeVar("B", bound=Callable[..., Any])
S = TypeVar("S")
P = ParamSpec("P")


@dataclass(frozen=True)
class Bound(Generic[T_co]):
    """A flow, and the keyword arguments its bearer calls pass to Authlib (``token``, ``request``)."""

    flow: Flow[T_co]
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
        face: Any = self  # a face has _run: the pump of its kind
        result: T = face._run(builder(self, *args, **kwargs))
        return result

    return method


def awaited(
    builder: Callable[Concatenate[S, P], Bound[T]],
) -> Callable[Concatenate[S, P], Coroutine[Any, Any, T]]:
    """The async face's method for ``builder``."""

    @functools.wraps(builder)
    async def method(self: S, /, *args: P.args, **kwargs: P.kwargs) -> T:
        face: Any = self
        result: T = await face._run(builder(self, *args, **kwargs))
        return result

    return method


def streaming(
    builder: Callable[Concatenate[S, P], BoundStream],
) -> Callable[Concatenate[S, P], Iterator[Any]]:
    """The sync face's iterator method for a streaming ``builder``."""

    @functools.wraps(builder)
    def method(self: S, /, *args: P.args, **kwargs: P.kwargs) -> Iterator[Any]:
        face: Any = self  # a face has _stream: the streaming pump of its kind
        results: Iterator[Any] = face._stream(builder(self, *args, **kwargs))
        return results

    return method


def astreaming(
    builder: Callable[Concatenate[S, P], BoundStream],
) -> Callable[Concatenate[S, P], AsyncIterator[Any]]:
    """The async face's async-iterator method for a streaming ``builder``."""

    @functools.wraps(builder)
    def method(self: S, /, *args: P.args, **kwargs: P.kwargs) -> AsyncIterator[Any]:
        face: Any = self
        results: AsyncIterator[Any] = face._stream(builder(self, *args, **kwargs))
        return results

    return method


def kakao_parameters(call: KakaoCall[..., Any]) -> list[inspect.Parameter]:
    """The parameters of ``call``'s signature function, annotations evaluated (``**kwargs`` too)."""
    return list(inspect.signature(call.params, eval_str=True).parameters.values())


def refuse_unknown(
    call: KakaoCall[..., Any], kwargs: Mapping[str, object], names: Collection[str]
) -> None:
    """Refuse keyword arguments a method without ``**kwargs`` does not take, as Python would."""
    for name in kwargs:
        if name not in names:
            raise TypeError(f"{call.name}() got an unexpected keyword argument {name!r}")


def derived(
    builder: B, call: KakaoCall[..., Any], head: Sequence[inspect.Parameter], *, var_keyword: bool
) -> B:
    """``builder`` named, documented and signed as ``call``'s method: ``head`` (the face's own
    parameters), then the row's parameters (without its ``**kwargs`` unless ``var_keyword``)."""
    params = [p for p in kakao_parameters(call) if var_keyword or p.kind is not p.VAR_KEYWORD]
    result = typing.get_type_hints(call.parse).get("return", Any)
    signature = inspect.Signature(
        [*head, *params], return_annotation=typing.cast(Any, Bound)[result]
    )
    builder.__name__ = builder.__qualname__ = call.name
    builder.__doc__ = call.params.__doc__
    builder.__dict__["__signature__"] = signature  # what inspect.signature reads first
    builder.__annotations__ = {
        **{
            p.name: p.annotation
            for p in signature.parameters.values()
            if p.annotation is not p.empty
        },
        "return": signature.return_annotation,
    }
    return builder
