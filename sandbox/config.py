"""Knobs of a sandbox: deadlines, rate limits, spec checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sandbox.ratelimit import DEFAULT_RULES, INVALID_LIMIT, BucketRule


@dataclass
class SandboxConfig:
    """Settings a test may change; defaults follow Discord."""

    rate_limits: bool = True
    global_rate_limit: int = 50
    rate_limit_rules: tuple[BucketRule, ...] = DEFAULT_RULES
    invalid_request_limit: int = INVALID_LIMIT
    """401/403/429 answers per 10 minutes before every request is refused (Cloudflare)."""
    response_deadline: float = 3.0
    token_lifetime: timedelta = timedelta(minutes=15)
    settle_timeout: float = 10.0
    spec_validation: bool = True
    heartbeat_interval: int = 41250
    attachment_size_limit: int = 10 * 1024 * 1024
    privileged_intents: int = 0
    """Privileged intents enabled for the app (members 1<<1, presences 1<<8, message content
    1<<15); asking for another one closes the gateway with 4014, as on a fresh Discord app."""
    reaction_time: float = 0.05
    """Seconds a persona waits, after the bot's latest answer was delivered, before acting."""
