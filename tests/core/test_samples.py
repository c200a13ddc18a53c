"""Every payload in Kakao's reference samples is exercised; the static metadata matches Kakao's."""

from __future__ import annotations

from tables import KAKAO, load, referenced_units, resolve, sample_units

from authlib_kakao.core.endpoints import KakaoEndpoints


def test_the_samples_are_in_the_repository() -> None:
    assert (KAKAO / "samples.json").is_file()
    assert len(sample_units()) > 20


def test_every_kakao_sample_is_used_by_a_table() -> None:
    unused = sample_units() - referenced_units()

    assert unused == set(), "add a case in tests/data for each of these samples"


def test_every_reference_in_the_tables_points_at_a_sample() -> None:
    assert referenced_units() <= sample_units()


def test_static_metadata_is_kakaos_discovery_document() -> None:
    discovery = load("responses")["discovery"]
    kakao = resolve(discovery["kakao"])

    ours = KakaoEndpoints().oidc_metadata()

    # Our userinfo is Kakao's richer /v2/user/me (normalised to OIDC claims), on purpose.
    assert {k: v for k, v in ours.items() if k not in discovery["ours_differ"]} == {
        k: v for k, v in kakao.items() if k not in discovery["ours_differ"]
    }
    for name, value in discovery["ours_differ"].items():
        assert ours[name] == value
