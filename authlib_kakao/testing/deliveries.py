"""The backend's webhook delivery log: every unlink webhook call and security event sent, and
Kakao's pause rule (a webhook failing for longer than ``config.webhook_pause_after`` is paused
until the console's switch resumes it, reference §6.1).

:class:`WebhookDeliveries` is a part of :class:`~authlib_kakao.testing.backend.KakaoBackend`, which
holds the state (set in its ``__init__``) and the one lock.
"""

from __future__ import annotations

import dataclasses
import threading

from authlib_kakao.testing.state import WEBHOOK_KINDS, App, EmulatorConfig, WebhookDelivery
from authlib_kakao.testing.surface import operation

__all__ = ["UNLINK", "WebhookDeliveries"]

UNLINK = WEBHOOK_KINDS[0]


class WebhookDeliveries:
    """The delivery log and the paused webhooks."""

    # Set by KakaoBackend.__init__; declared here for the type checker.
    lock: threading.RLock
    config: EmulatorConfig
    app: App
    deliveries: list[WebhookDelivery]
    failing_since: dict[tuple[int, str], float]
    paused_webhooks: dict[tuple[int, str], float]
    delivered: threading.Condition

    def record_delivery(self, delivery: WebhookDelivery) -> WebhookDelivery:
        """Log ``delivery`` (numbered here) and apply the pause rule; wakes the waiters.

        A success ends the app's run of failures of that kind; a failure that makes the run span
        more than ``config.webhook_pause_after`` seconds pauses the webhook (§6.1).
        """
        with self.lock:
            delivery = dataclasses.replace(delivery, id=len(self.deliveries) + 1)
            self.deliveries.append(delivery)
            key = (delivery.app_id, delivery.kind)
            if delivery.ok:
                self.failing_since.pop(key, None)
            elif not delivery.paused:
                since = self.failing_since.setdefault(key, delivery.at)
                if delivery.at - since > self.config.webhook_pause_after:
                    self.paused_webhooks[key] = delivery.at
            self.delivered.notify_all()
            return delivery

    @operation
    def webhook_deliveries(self, kind: str | None = None) -> list[WebhookDelivery]:
        """The delivery log, oldest first: every webhook call and SET (``kind``: ``"unlink"`` or
        ``"security_event"``), with URL, status, ``ok``, ``paused``, ``attempt``, ``jti``, ..."""
        return [d for d in self.deliveries if kind is None or d.kind == kind]

    @operation
    def webhook_paused(self, app: App | None = None, kind: str = UNLINK) -> bool:
        """Whether the app's webhook of ``kind`` is paused after failures spanning more than
        ``config.webhook_pause_after`` (a month)."""
        return ((app or self.app).app_id, _kind(kind)) in self.paused_webhooks

    @operation
    def resume_webhook(self, app: App | None = None, kind: str = UNLINK) -> None:
        """Re-enable a paused webhook (the console's switch); its failure history starts over."""
        key = ((app or self.app).app_id, _kind(kind))
        with self.lock:
            self.paused_webhooks.pop(key, None)
            self.failing_since.pop(key, None)

    def wait_for_deliveries(self, count: int, timeout: float) -> bool:
        """Block until the log holds ``count`` entries (sent from another thread); False on timeout."""
        with self.delivered:
            return self.delivered.wait_for(lambda: len(self.deliveries) >= count, timeout)


def _kind(kind: str) -> str:
    if kind not in WEBHOOK_KINDS:
        raise ValueError(f"kind must be one of {', '.join(WEBHOOK_KINDS)}, not {kind!r}")
    return kind
