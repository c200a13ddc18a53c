"""Table loaders for the core tests: tests/data/*.json, with "$sample" references into Kakao's samples."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "data"
SAMPLES: dict[str, Any] = json.loads((DATA / "kakao_samples.json").read_text("utf-8"))


def resolve(value: Any) -> Any:
    """Replace ``{"$sample": name, "$field": field}`` with that sample's body (or field)."""
    if isinstance(value, dict) and "$sample" in value:
        sample = SAMPLES[value["$sample"]]
        field = value.get("$field")
        if field is None:
            return sample["body"]
        entry = sample[field]
        return entry.get("body", entry) if isinstance(entry, dict) and "body" in entry else entry
    return value


def table(name: str, key: str) -> list[Any]:
    """The cases under ``key`` in ``tests/data/<name>.json``, as pytest params named by case."""
    import pytest

    cases = json.loads((DATA / f"{name}.json").read_text("utf-8"))[key]
    return [pytest.param(case, id=case["name"]) for case in cases]


def load(name: str) -> dict[str, Any]:
    return json.loads((DATA / f"{name}.json").read_text("utf-8"))  # type: ignore[no-any-return]
