"""A refusal the user can act on, raised anywhere (domain, services, commands)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


class Refusal(Exception):
    """Stop a user action with a catalogue text that says what to do instead.

    Raised before anything is stored (or inside the transaction, which then rolls back),
    so a refused action leaves nothing half-written.
    """

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class Worded:
    """A catalogue text to word in the reader's language only when it is shown.

    A refusal's value may be one (or hold some among its own values): the error handler words
    each in the reader's language. `english` is what `str()` gives, for logs and tests.
    """

    key: str
    english: str
    values: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.english
