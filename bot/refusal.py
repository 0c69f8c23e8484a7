"""A refusal the user can act on, raised anywhere (domain, services, commands)."""

from __future__ import annotations


class Refusal(Exception):
    """Stop a user action with a catalogue text that says what to do instead.

    Raised before anything is stored (or inside the transaction, which then rolls back),
    so a refused action leaves nothing half-written.
    """

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values
