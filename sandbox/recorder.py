"""What the bot asked of the sandbox, and what went wrong."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class RequestRecord:
    """One REST request the bot made."""

    method: str
    route: str
    path: str
    query: dict[str, str]
    body: Any
    time: datetime
    status: int = 0
    code: int | None = None
    files: list[str] = field(default_factory=list)
    delivered: bool = False
    """True once the answer has left the sandbox (after the latency delay, if any)."""
    delay: float = 0.0
    """Seconds the answer was held back by the latency model."""


@dataclass
class ErrorRecord:
    """A refusal the bot received (or a spec mismatch), with the reason."""

    method: str
    path: str
    status: int
    code: int
    message: str
    errors: Any = None
    body: Any = None

    def __str__(self) -> str:
        detail = f" {self.errors}" if self.errors else ""
        return f"{self.method} {self.path} -> {self.status} ({self.code}) {self.message}{detail}"


@dataclass
class Stats:
    """Counters a test can assert on."""

    requests: int = 0
    rate_limited: int = 0
    global_rate_limited: int = 0
    faults_injected: int = 0
    gateway_connects: int = 0
    identifies: int = 0
    resumes: int = 0


class Recorder:
    """Keep the request log, every refusal, and the unexpected ones."""

    def __init__(self) -> None:
        self.requests: list[RequestRecord] = []
        self.refusals: list[ErrorRecord] = []
        self.unexpected_errors: list[ErrorRecord] = []
        self.spec_mismatches: list[ErrorRecord] = []
        self.stats = Stats()

    def refuse(self, record: ErrorRecord, *, expected: bool) -> None:
        """Log a 4xx answer; unless a test asked for it, it is unexpected."""
        self.refusals.append(record)
        if not expected:
            self.unexpected_errors.append(record)

    def take_unexpected(self) -> list[ErrorRecord]:
        """Return and clear the unexpected errors (for tests that provoke them on purpose)."""
        taken, self.unexpected_errors = self.unexpected_errors, []
        return taken
