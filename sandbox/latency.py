"""How slow Discord is: a delay before each REST answer and each gateway dispatch.

A ``Latency`` holds one default distribution, optional per-route ones (``"POST
/channels/{channel_id}/messages"``, compared like fault routes) and one for gateway dispatches,
all drawn from one seeded ``random.Random`` so a run can be replayed.

Written as text (``SANDBOX_LATENCY`` or ``Sandbox(latency="...")``), items separated by ``;``:

- ``100ms`` or ``fixed:0.1``: every answer waits exactly that long;
- ``lognormal:100ms:400ms``: log-normal with median 100 ms and 99th percentile 400 ms;
- ``seed=7``: the random seed (default 0);
- ``gateway=fixed:20ms``: the distribution of gateway dispatches (default: the REST default);
- ``POST /channels/{channel_id}/messages=lognormal:200ms:1s``: one route's distribution.
"""

from __future__ import annotations

import asyncio
import math
import os
import random
import re
from dataclasses import dataclass, field

from sandbox.faults import normalise

ENV_VAR = "SANDBOX_LATENCY"
Z_99 = 2.3263478740408408
"""The standard normal's 99th percentile: p99 = median * exp(Z_99 * sigma)."""
GATEWAY = "gateway"
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$")


def parse_duration(text: str) -> float:
    """Return seconds for ``"100ms"``, ``"0.1s"`` or ``"0.1"``."""
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(f"not a duration (use 100ms, 0.1s or 0.1): {text!r}")
    value = float(match.group(1))
    return value / 1000 if match.group(2) == "ms" else value


@dataclass(frozen=True)
class Fixed:
    """Always the same delay."""

    seconds: float

    def sample(self, rng: random.Random) -> float:
        """Return the delay."""
        return self.seconds


@dataclass(frozen=True)
class LogNormal:
    """A log-normal delay given by its median and its 99th percentile (seconds)."""

    median: float
    p99: float

    def __post_init__(self) -> None:
        if not 0 < self.median <= self.p99:
            raise ValueError(f"log-normal needs 0 < median <= p99, got {self.median}, {self.p99}")

    @property
    def sigma(self) -> float:
        """The standard deviation of the underlying normal."""
        return math.log(self.p99 / self.median) / Z_99

    def sample(self, rng: random.Random) -> float:
        """Draw one delay."""
        return rng.lognormvariate(math.log(self.median), self.sigma)


Distribution = Fixed | LogNormal


def parse_distribution(text: str) -> Distribution:
    """Parse ``100ms``, ``fixed:100ms`` or ``lognormal:MEDIAN:P99``."""
    kind, _, rest = text.strip().partition(":")
    if kind == "fixed":
        return Fixed(parse_duration(rest))
    if kind == "lognormal":
        median, _, p99 = rest.partition(":")
        return LogNormal(parse_duration(median), parse_duration(p99))
    return Fixed(parse_duration(text))


@dataclass
class Latency:
    """Delays of REST answers (per route if wanted) and of gateway dispatches."""

    default: Distribution = field(default_factory=lambda: Fixed(0.0))
    routes: dict[str, Distribution] = field(default_factory=dict)
    gateway: Distribution | None = None
    seed: int = 0
    rng: random.Random = field(init=False, repr=False, compare=False)
    samples: int = field(default=0, init=False, compare=False)
    total: float = field(default=0.0, init=False, compare=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.routes = {normalise(route): dist for route, dist in self.routes.items()}

    @classmethod
    def parse(cls, text: str) -> Latency:
        """Build a latency from its text form (see the module docstring)."""
        latency = cls()
        for raw in text.split(";"):
            item = raw.strip()
            if not item:
                continue
            key, _, value = item.rpartition("=")
            key = key.strip()
            if not key:
                latency.default = parse_distribution(value)
            elif key == "seed":
                latency.seed = int(value)
            elif key == GATEWAY:
                latency.gateway = parse_distribution(value)
            else:
                latency.routes[normalise(key)] = parse_distribution(value)
        latency.rng = random.Random(latency.seed)
        return latency

    @classmethod
    def from_env(cls) -> Latency | None:
        """Read the latency of ``$SANDBOX_LATENCY``, or None when it is unset or empty."""
        text = os.environ.get(ENV_VAR, "").strip()
        return cls.parse(text) if text else None

    @property
    def enabled(self) -> bool:
        """Whether any delay can be non-zero."""
        dists = [self.default, *self.routes.values(), self.gateway]
        return any(d is not None and not (isinstance(d, Fixed) and d.seconds == 0) for d in dists)

    def _draw(self, dist: Distribution) -> float:
        delay = max(0.0, dist.sample(self.rng))
        self.samples += 1
        self.total += delay
        return delay

    def rest_delay(self, method: str, route: str) -> float:
        """Draw the delay of one REST answer."""
        dist = self.routes.get(normalise(f"{method} {route}"), self.default)
        return self._draw(dist)

    def gateway_delay(self) -> float:
        """Draw the delay of one gateway dispatch."""
        return self._draw(self.gateway or self.default)


class OrderedDelay:
    """Delays that keep their order: an event never overtakes the one dispatched before it."""

    def __init__(self) -> None:
        self._last = 0.0

    async def wait(self, delay: float) -> None:
        """Sleep ``delay`` seconds, or until just after the previous event's due time."""
        loop = asyncio.get_running_loop()
        due = max(loop.time() + delay, self._last + 1e-6)
        self._last = due
        await asyncio.sleep(max(0.0, due - loop.time()))
