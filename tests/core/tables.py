"""Table loaders for the core tests: tests/data/*.json, with references into Kakao's samples.

Kakao's documented samples and the REST API reference live in ``tests/data/kakao/`` (a copy of the
team's reference, so a plain clone runs the suite).
A reference is ``{"$sample": name}`` (that sample's body), ``{"$sample": name, "$field": f}``
(field ``f`` of the sample; its ``body`` if ``f`` holds one) or ``{"$sample": name, "$path": [...]}``
(any value inside the sample).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"
KAKAO = DATA / "kakao"
SAMPLES: dict[str, Any] = json.loads((KAKAO / "samples.json").read_text("utf-8"))
REFERENCE = (KAKAO / "reference.md").read_text("utf-8")


def is_ref(value: Any) -> bool:
    return isinstance(value, dict) and "$sample" in value


def resolve(value: Any) -> Any:
    """``value`` with every sample reference in it replaced by what it points at."""
    if is_ref(value):
        sample = SAMPLES[value["$sample"]]
        if "$path" in value:
            for key in value["$path"]:
                sample = sample[key]
            return sample
        field = value.get("$field")
        if field is None:
            return sample["body"]
        entry = sample[field]
        return entry.get("body", entry) if isinstance(entry, dict) and "body" in entry else entry
    if isinstance(value, dict):
        return {k: resolve(v) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v) for v in value]
    return value


def sample_status(ref: dict[str, Any]) -> int | None:
    """The HTTP status Kakao's docs give the referenced sample, if they give one."""
    sample = SAMPLES[ref["$sample"]]
    entry = sample[ref["$field"]] if ref.get("$field") else sample
    status = entry.get("http", {}).get("status")
    return int(status) if status is not None else None


def sample_units() -> set[tuple[str, str | None]]:
    """Every Kakao payload in samples.json: (sample, None) for its body, (sample, f) for others."""
    units: set[tuple[str, str | None]] = set()
    for name, sample in SAMPLES.items():
        if not isinstance(sample, dict):
            continue
        if "body" in sample:
            units.add((name, None))
        for field, value in sample.items():
            if field not in ("body", "http") and isinstance(value, dict):
                units.add((name, field))
    return units


def referenced_units() -> set[tuple[str, str | None]]:
    """The payloads tests/data/*.json refer to."""
    found: set[tuple[str, str | None]] = set()

    def walk(value: Any) -> None:
        if is_ref(value):
            path = value.get("$path")
            field = value.get("$field") or (path[0] if path else None)
            found.add((value["$sample"], None if field == "body" else field))
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in sorted(DATA.glob("*.json")):
        walk(json.loads(path.read_text("utf-8")))
    return found


def table(name: str, key: str) -> list[Any]:
    """The cases under ``key`` in ``tests/data/<name>.json``, as pytest params named by case."""
    import pytest

    cases = load(name)[key]
    return [pytest.param(case, id=case["name"]) for case in cases]


def load(name: str) -> dict[str, Any]:
    return json.loads((DATA / f"{name}.json").read_text("utf-8"))  # type: ignore[no-any-return]
