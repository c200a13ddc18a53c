"""A runtime checker for TypedDicts: does a JSON value have the shape a TypedDict declares?

TypedDicts are static only; the shape tests (tests/core/test_shapes.py, and the emulator's in
tests/testing/test_shapes_on_the_wire.py) hold payloads against ``authlib_kakao.core.shapes`` with
this, reading each shape's annotations (``typing.get_type_hints``, required and optional keys).
"""

from __future__ import annotations

import types
from typing import Any, Union, get_args, get_origin, get_type_hints, is_typeddict

__all__ = ["mismatches"]


def mismatches(value: object, hint: Any, path: str = "$", *, strict: bool = True) -> list[str]:
    """Where ``value`` is not a ``hint`` (a TypedDict or a JSON type); ``[]`` when it is one.

    ``strict``: a key the TypedDict does not declare is a mismatch too (for Kakao's documented
    samples; an answer Kakao extends later still works, the shapes being static only).
    """
    if is_typeddict(hint):
        if not isinstance(value, dict):
            return [f"{path}: {type(value).__name__}, not a {hint.__name__} object"]
        declared = get_type_hints(hint)
        found = [f"{path}.{key}: missing" for key in sorted(hint.__required_keys__ - value.keys())]
        for key, item in value.items():
            if key in declared:
                found += mismatches(item, declared[key], f"{path}.{key}", strict=strict)
            elif strict:
                found.append(f"{path}.{key}: not declared by {hint.__name__}")
        return found
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        if any(not mismatches(value, arg, path, strict=strict) for arg in args):
            return []
        return [f"{path}: {value!r} is none of {hint}"]
    if origin is list:
        if not isinstance(value, list):
            return [f"{path}: {type(value).__name__}, not a list"]
        return [
            m
            for i, v in enumerate(value)
            for m in mismatches(v, args[0], f"{path}[{i}]", strict=strict)
        ]
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{path}: {type(value).__name__}, not an object"]
        return [
            m
            for k, v in value.items()
            for m in mismatches(k, args[0], f"{path} key")
            + mismatches(v, args[1], f"{path}.{k}", strict=strict)
        ]
    if hint is type(None):
        return [] if value is None else [f"{path}: {value!r}, not null"]
    if hint in (str, bool, int):
        # bool is an int to Python, never a number to Kakao.
        ok = isinstance(value, hint) and (hint is bool or not isinstance(value, bool))
        return [] if ok else [f"{path}: {value!r}, not {hint.__name__}"]
    raise TypeError(f"the checker does not know {hint!r} (at {path})")
