"""The emulator's surface, described once: the backend's operations.

A backend method marked :func:`operation` is something a test may do to the emulator. From that one
mark:

* :class:`~authlib_kakao.testing.KakaoEmulator` offers it under the same name and signature, by
  :func:`delegate` (typed: mypy and editors see the backend's parameters) or, where it adds
  something (webhook delivery), by an explicit method; a test compares the signatures;
* the control plane serves it: its handler says so with :func:`serves`, or ``control.py``'s
  ``NOT_OVER_HTTP`` says why not; a test checks that every operation is one or the other.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

__all__ = ["OPERATIONS", "SERVED", "HasBackend", "delegate", "operation", "serves"]

P = ParamSpec("P")
R = TypeVar("R")
B = TypeVar("B")
B_co = TypeVar("B_co", covariant=True)
F = TypeVar("F", bound=Callable[..., Any])

#: Names of the backend's operations, in definition order (filled as the classes are defined).
OPERATIONS: list[str] = []
#: Operation name -> the control-plane handler that serves it (filled by :func:`serves`).
SERVED: dict[str, Callable[..., Any]] = {}


def operation(method: F) -> F:
    """Mark a backend method as an operation of the emulator (see the module docstring)."""
    OPERATIONS.append(method.__name__)
    return method


class HasBackend(Protocol[B_co]):
    """What :func:`delegate` needs of the façade: the current backend (a ``KakaoBackend``)."""

    @property
    def state(self) -> B_co: ...


def delegate(op: Callable[Concatenate[B, P], R]) -> Callable[Concatenate[HasBackend[B], P], R]:
    """A façade method calling ``op`` on whatever backend is current (a reset swaps it).

    Keeps ``op``'s signature and docstring (``inspect.signature`` and ``help`` show them) and its
    type: ``add_app = delegate(KakaoBackend.add_app)`` type-checks calls as the backend's would.
    """

    def method(self: HasBackend[B], /, *args: P.args, **kwargs: P.kwargs) -> R:
        return op(self.state, *args, **kwargs)

    functools.update_wrapper(method, op)
    method.__qualname__ = f"KakaoEmulator.{op.__name__}"
    return method


def serves(*ops: Callable[..., Any]) -> Callable[[F], F]:
    """Mark a control-plane handler as the HTTP way to the operations ``ops``."""

    def mark(handler: F) -> F:
        for op in ops:
            SERVED[op.__name__] = handler
        return handler

    return mark
