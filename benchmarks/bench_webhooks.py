"""Security event verification speed: ours against joserfc verifying the same tokens by hand.

Sides, each given the same Kakao-shaped security event tokens (SETs), signed with the emulator's
RS256 key (``authlib_kakao.testing``), one fresh ``jti`` per token:

* **raw**: ``joserfc.jwt.decode(token, key, algorithms=["RS256"])`` with the (one) key imported
  once, not chosen by ``kid``, then the claim checks a receiver needs done by hand (``iss``, ``aud``, a non-empty ``events``
  object, a string ``jti``, ``iat`` neither in the future nor too old): the floor;
* **verify**: ``verify_security_event(token, audience=..., jwks=<ParsedJWKS>)``, the key set parsed
  once (``parse_jwks_document``), as the receivers cache it. Target ≥ 0.8× raw's speed;
* **receiver**: ``KakaoWebhooks(...).handle_security_event(body)`` with an ``InlineDispatcher``
  and a callback that does nothing, the JWKS cached (fetched once from an in-process emulator
  during warm-up), with the ``MemoryEventStore``: verify, claim the ``jti``, hand over, answer
  202. Target ≥ 0.6× raw;
* **redis**: the same receiver with ``RedisEventStore`` against our own ``redis-server`` (a real
  round trip on loopback per event). Target ≥ 0.3× raw. Skipped when ``redis-server`` is missing.

Wall time (``time.perf_counter``) per token, in batches that take the sides in turn (rotating which
goes first) so machine noise hits all of them; ``--repeats`` measurements, each ratio (raw's time
over the side's: its speed relative to raw) as min/median/max over them. Every receiver call must
answer 202 (first delivery) or the run stops.

    python benchmarks/bench_webhooks.py [--tokens 2000] [--batch 250] [--repeats 5] [--no-redis]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from joserfc import jwt
from joserfc.jwk import JWKRegistry
from processes import RedisProcess

from authlib_kakao.core.id_token import parse_jwks_document
from authlib_kakao.testing import EmulatorConfig, KakaoEmulator
from authlib_kakao.testing.event_tokens import USER_UNLINKED, set_claims
from authlib_kakao.webhooks import (
    InlineDispatcher,
    KakaoWebhooks,
    MemoryEventStore,
    RedisEventStore,
    verify_security_event,
)

ISSUER = "https://kauth.kakao.com"
MAX_AGE = 7 * 86400.0
LEEWAY = 120.0
NOTES = """
ms: wall time per token (median over the repeats); ×raw: raw's time over the side's (its speed
relative to raw), min/median/max over the repeats; target: the least ×raw wanted.
Wall time {seconds:.0f} s."""


def raw_verifier(jwks: dict[str, Any], audience: str) -> Callable[[str], Any]:
    """joserfc with the key imported once, and the receiver's claim checks by hand."""
    (entry,) = jwks["keys"]  # the emulator publishes one key: no choosing by kid
    key = JWKRegistry.import_key(entry)

    def verify(token: str) -> Any:
        claims = jwt.decode(token, key, algorithms=["RS256"]).claims
        if claims.get("iss") != ISSUER:
            raise ValueError("iss")
        aud = claims.get("aud")
        if audience not in ((aud,) if isinstance(aud, str) else aud or ()):
            raise ValueError("aud")
        events = claims.get("events")
        if not isinstance(events, dict) or not events:
            raise ValueError("events")
        if not isinstance(claims.get("jti"), str):
            raise ValueError("jti")
        iat, now = claims.get("iat"), time.time()
        if not isinstance(iat, int) or iat - LEEWAY > now or iat + MAX_AGE + LEEWAY < now:
            raise ValueError("iat")
        return claims

    return verify


def receiver(emulator: KakaoEmulator, store: Any, warmup_token: str) -> Callable[[str], Any]:
    """A ``KakaoWebhooks`` answering in the request (inline), its JWKS fetched once, now."""
    hooks = KakaoWebhooks(
        client_id=emulator.app.client_id,
        on_security_event=lambda event: None,
        dispatcher=InlineDispatcher(),
        store=store,
        kauth_url=emulator.url or "",
    )
    handle(hooks)(warmup_token)  # fetches and caches Kakao's JWKS

    return handle(hooks)


def handle(hooks: KakaoWebhooks) -> Callable[[str], Any]:
    def call(token: str) -> Any:
        resp = hooks.handle_security_event(token)
        if resp.status != 202:
            raise RuntimeError(f"the receiver answered {resp.status}: {resp.body!r}")
        return resp

    return call


def batches(count: int, batch: int, sides: tuple[str, ...]) -> list[tuple[tuple[str, ...], range]]:
    plan, start, index = [], 0, 0
    while start < count:
        shift = index % len(sides)
        plan.append((sides[shift:] + sides[:shift], range(start, min(count, start + batch))))
        start, index = start + batch, index + 1
    return plan


def measure(
    sides: dict[str, Callable[[str], Any]], tokens: list[str], batch: int
) -> dict[str, float]:
    """ms per token for each side, the sides in turn batch by batch."""
    spent = dict.fromkeys(sides, 0.0)
    for order, indices in batches(len(tokens), batch, tuple(sides)):
        for side in order:
            verify = sides[side]
            start = time.perf_counter()
            for i in indices:
                verify(tokens[i])
            spent[side] += time.perf_counter() - start
    return {side: spent[side] / len(tokens) * 1000 for side in sides}


def spread(values: list[float]) -> str:
    return f"{min(values):.2f}/{statistics.median(values):.2f}/{max(values):.2f}"


TARGETS = {"raw": None, "verify": 0.8, "receiver": 0.6, "redis": 0.3}
LABELS = {
    "raw": "joserfc jwt.decode + checks by hand",
    "verify": "verify_security_event (parsed JWKS)",
    "receiver": "KakaoWebhooks, MemoryEventStore",
    "redis": "KakaoWebhooks, RedisEventStore",
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tokens", type=int, default=2000, help="tokens per side and repeat")
    parser.add_argument("--batch", type=int, default=250, help="tokens per side before switching")
    parser.add_argument("--warmup", type=int, default=50, help="unmeasured tokens per side first")
    parser.add_argument("--repeats", type=int, default=5, help="measurements (ratios: min/med/max)")
    parser.add_argument("--no-redis", action="store_true", help="leave out the Redis store")
    args = parser.parse_args()
    started = time.perf_counter()
    use_redis = not args.no_redis and shutil.which("redis-server") is not None
    # Each receiver fetches the JWKS once: the emulator's JWKS throttle is off.
    config = EmulatorConfig(app_preset="biz", jwks_rate_limit=None)
    emulator = KakaoEmulator(config=config, auto_approve=True)
    state, app = emulator.state, emulator.app

    def new_tokens(count: int) -> list[str]:
        return [
            emulator.keys.sign(set_claims(state, app, 1234, USER_UNLINKED), typ="secevent+jwt")
            for _ in range(count)
        ]

    # Every receiver delivery needs a jti its store has not seen: one token list per repeat
    # (plus warm-up), each side's store fresh per repeat.
    lists = [new_tokens(args.tokens) for _ in range(args.repeats)]
    warm = new_tokens(args.warmup + 1)
    with ExitStack() as stack:
        stack.enter_context(emulator.serve())
        redis = stack.enter_context(RedisProcess()) if use_redis else None
        jwks = emulator.keys.jwks()
        parsed = parse_jwks_document(jwks)
        audience = app.client_id

        def make_sides(run: str) -> dict[str, Callable[[str], Any]]:
            sides: dict[str, Callable[[str], Any]] = {
                "raw": raw_verifier(jwks, audience),
                "verify": lambda t: verify_security_event(t, audience=audience, jwks=parsed),
                "receiver": receiver(emulator, MemoryEventStore(), warm[0]),
            }
            if redis is not None:
                store = RedisEventStore(redis.url, prefix=f"bench:{run}:")
                sides["redis"] = receiver(emulator, store, warm[0])
            return sides

        for verify in make_sides("warm").values():
            for token in warm[1:]:
                verify(token)
        results = [measure(make_sides(uuid.uuid4().hex), tokens, args.batch) for tokens in lists]
    print(
        f"security event verification, wall ms per token ({args.tokens} tokens per side and "
        f"repeat, {args.repeats} repeats, alternating batches of {args.batch}; RS256, 2048-bit)"
    )
    print(f"{'side':<38} {'ms':>7}  {'×raw min/med/max':>17}  {'target':>6}")
    for side, target in TARGETS.items():
        if side not in results[0]:
            print(f"{LABELS[side]:<38}  (skipped: no redis-server)")
            continue
        ms = statistics.median(r[side] for r in results)
        speed = [r["raw"] / r[side] for r in results]
        wanted = f"≥{target:.1f}" if target is not None else ""
        print(f"{LABELS[side]:<38} {ms:>7.3f}  {spread(speed):>17}  {wanted:>6}")
    print(NOTES.format(seconds=time.perf_counter() - started))


if __name__ == "__main__":
    main()
