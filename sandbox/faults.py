"""Failures a test asks for: the next N matching requests get a chosen error.

To add a kind of fault, add a field to `Fault` and act on it where the middleware takes the
fault (`sandbox/middleware.py`): before the handler (refuse), or after it (lose the answer).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sandbox.errors import ApiError
from sandbox.ratelimit import too_many

_PARAM = re.compile(r"\{[^}]*\}")

MESSAGES: dict[tuple[int, int], str] = {
    (403, 50001): "Missing Access",
    (403, 50007): "Cannot send messages to this user",
    (403, 50013): "Missing Permissions",
    (404, 10003): "Unknown Channel",
    (404, 10008): "Unknown Message",
    (404, 10062): "Unknown interaction",
    (500, 0): "500: Internal Server Error",
    (502, 0): "502: Bad Gateway",
    (503, 0): "503: Service Unavailable",
}


def normalise(route: str) -> str:
    """Turn ``"POST /api/v10/channels/{channel_id}/messages"`` into a comparable key."""
    method, _, path = route.strip().partition(" ")
    if not path:
        raise ValueError(
            f"route must look like 'POST /channels/{{channel_id}}/messages': {route!r}"
        )
    path = _PARAM.sub("{}", path.removeprefix("/api/v10").rstrip("/"))
    return f"{method.upper()} {path}"


@dataclass
class Fault:
    """One planned failure."""

    key: str
    status: int
    code: int
    message: str
    times: int
    retry_after: float
    is_global: bool = False
    after_handling: bool = False
    """Let the request take effect (message stored, events sent), then answer the error: a
    lost answer, as when Discord stores the message but the proxy answers 502."""

    def error(self) -> ApiError:
        """Return the error to answer with."""
        if self.status == 429:
            headers = {"X-RateLimit-Scope": "global" if self.is_global else "user"}
            error = too_many(self.retry_after, is_global=self.is_global, headers=headers)
            error.expected = True
            return error
        return ApiError(self.status, self.code, self.message, expected=True)


class Faults:
    """Planned failures, consumed as matching requests arrive."""

    def __init__(self) -> None:
        self.pending: list[Fault] = []
        self.fired: list[Fault] = []

    def fail(
        self,
        route: str,
        *,
        status: int = 500,
        code: int = 0,
        message: str | None = None,
        times: int = 1,
        retry_after: float = 0.05,
        is_global: bool = False,
        after_handling: bool = False,
    ) -> Fault:
        """Make the next ``times`` calls of ``route`` (``"METHOD /path/{param}"``) fail.

        With ``after_handling`` the request is carried out first and only its answer fails.
        """
        text = message or MESSAGES.get((status, code)) or f"{status}: Sandbox fault"
        fault = Fault(
            normalise(route), status, code, text, times, retry_after, is_global, after_handling
        )
        self.pending.append(fault)
        return fault

    def take(self, method: str, route: str) -> ApiError | None:
        """Consume and return the error of a fault matching this request, if any."""
        fault = self.take_fault(method, route)
        return None if fault is None else fault.error()

    def take_fault(self, method: str, route: str) -> Fault | None:
        """Consume and return the fault matching this request, if any.

        The middleware then answers its error before or after handling the request.
        """
        key = normalise(f"{method} {route}")
        for fault in self.pending:
            if fault.key == key and fault.times > 0:
                fault.times -= 1
                if fault.times == 0:
                    self.pending.remove(fault)
                self.fired.append(fault)
                return fault
        return None

    def clear(self) -> None:
        """Forget the planned failures."""
        self.pending.clear()
