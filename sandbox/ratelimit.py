"""Discord-like rate limits: a global per-token window plus per-route buckets."""

from __future__ import annotations

import hashlib
import math
import time
from collections import deque
from dataclasses import dataclass

from sandbox.errors import ApiError


@dataclass(frozen=True)
class BucketRule:
    """``limit`` requests per ``per`` seconds on one route, per value of its major parameter."""

    method: str
    route: str
    limit: int
    per: float
    group: str | None = None
    """Rules with the same group share one bucket (and hash) across their routes."""
    shared: bool = False
    """A resource limit shared by every client: its 429 says ``X-RateLimit-Scope: shared``
    and does not count towards the invalid-request limit."""

    @property
    def bucket(self) -> str:
        """The opaque bucket hash sent in ``X-RateLimit-Bucket``."""
        name = self.group or f"{self.method} {self.route}"
        return hashlib.sha1(name.encode()).hexdigest()[:16]


DEFAULT_RULES: tuple[BucketRule, ...] = (
    BucketRule("POST", "/channels/{channel_id}/messages", 5, 5.0),
    BucketRule("PATCH", "/channels/{channel_id}/messages/{message_id}", 5, 5.0),
    BucketRule("DELETE", "/channels/{channel_id}/messages/{message_id}", 5, 1.0),
    BucketRule("POST", "/webhooks/{webhook_id}/{webhook_token}", 5, 2.0),
    BucketRule("PUT", "/applications/{application_id}/commands", 4, 20.0),
    BucketRule("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", 4, 20.0),
    BucketRule("POST", "/users/@me/channels", 10, 10.0),
)
DEFAULT_LIMIT = 50
DEFAULT_PER = 1.0
MAJOR_PARAMETERS = ("channel_id", "guild_id", "webhook_id", "webhook_token", "interaction_id")
GLOBAL_EXEMPT_PREFIXES = ("/interactions/", "/webhooks/")
INVALID_LIMIT, INVALID_WINDOW = 10_000, 600.0
"""Discord restricts a client after 10,000 401/403/429 answers in 10 minutes."""


@dataclass
class _Window:
    started: float
    count: int = 0


class RateLimiter:
    """Decide whether a request passes, and produce Discord's headers either way."""

    def __init__(
        self,
        *,
        enabled: bool = True,
        global_limit: int = 50,
        global_per: float = 1.0,
        rules: tuple[BucketRule, ...] = DEFAULT_RULES,
        invalid_limit: int = INVALID_LIMIT,
        invalid_window: float = INVALID_WINDOW,
    ) -> None:
        self.enabled = enabled
        self.invalid_limit = invalid_limit
        self.invalid_window = invalid_window
        self._invalid: deque[float] = deque()
        self.banned_until = 0.0
        self.global_limit = global_limit
        self.global_per = global_per
        self.rules = {(r.method, r.route): r for r in rules}
        self._global: deque[float] = deque()
        self._windows: dict[tuple[str, str], _Window] = {}

    def rule_for(self, method: str, route: str) -> BucketRule:
        """Return the bucket rule of a route (a default one when none is configured)."""
        return self.rules.get((method, route)) or BucketRule(
            method, route, DEFAULT_LIMIT, DEFAULT_PER
        )

    def check(self, method: str, route: str, params: dict[str, str]) -> dict[str, str]:
        """Count a request; return its headers or raise a 429 ``ApiError``."""
        if not self.enabled:
            return {}
        now = time.monotonic()
        if not route.startswith(GLOBAL_EXEMPT_PREFIXES):
            self._check_global(now)
        rule = self.rule_for(method, route)
        major = ":".join(params.get(p, "") for p in MAJOR_PARAMETERS)
        key = (rule.bucket, major)
        window = self._windows.get(key)
        if window is None or now >= window.started + rule.per:
            window = self._windows[key] = _Window(started=now)
        reset_after = max(window.started + rule.per - now, 0.001)
        headers = {
            "X-RateLimit-Limit": str(rule.limit),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": rule.bucket,
        }
        if window.count >= rule.limit:
            headers["X-RateLimit-Remaining"] = "0"
            headers["X-RateLimit-Scope"] = "shared" if rule.shared else "user"
            raise too_many(reset_after, is_global=False, headers=headers)
        window.count += 1
        headers["X-RateLimit-Remaining"] = str(rule.limit - window.count)
        return headers

    def note_answer(self, status: int, scope: str | None) -> None:
        """Count a 401, 403 or (not shared) 429 towards the invalid-request limit."""
        if not self.enabled or not (status in (401, 403) or (status == 429 and scope != "shared")):
            return
        now = time.monotonic()
        self._invalid.append(now)
        while self._invalid and self._invalid[0] <= now - self.invalid_window:
            self._invalid.popleft()
        if len(self._invalid) >= self.invalid_limit:
            self.banned_until = self._invalid[0] + self.invalid_window

    def check_ban(self) -> None:
        """Refuse every request while restricted, as Cloudflare does.

        A 429 without ``Via`` and without a JSON body (discord.py then stops instead of retrying).
        """
        if self.enabled and time.monotonic() < self.banned_until:
            retry = self.banned_until - time.monotonic()
            raise ApiError(
                429,
                0,
                "error code: 1015",
                headers={"Retry-After": str(max(1, math.ceil(retry))), "X-Cloudflare-Ban": "1"},
                expected=True,
            )

    def _check_global(self, now: float) -> None:
        while self._global and self._global[0] <= now - self.global_per:
            self._global.popleft()
        if len(self._global) >= self.global_limit:
            retry = max(self._global[0] + self.global_per - now, 0.001)
            headers = {"X-RateLimit-Global": "true", "X-RateLimit-Scope": "global"}
            raise too_many(retry, is_global=True, headers=headers)
        self._global.append(now)


def too_many(retry_after: float, *, is_global: bool, headers: dict[str, str]) -> ApiError:
    """Build a 429 as Discord sends it: JSON body, ``Retry-After`` and ``Via`` headers."""
    return ApiError(
        429,
        0,
        "You are being rate limited.",
        headers={
            **headers,
            "Retry-After": str(max(1, math.ceil(retry_after))),
            "Via": "1.1 google",
        },
        retry_after=round(retry_after, 3),
        is_global=is_global,
    )
