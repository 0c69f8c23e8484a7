"""Pytest fixtures: a started sandbox that fails the test on unexpected 4xx errors.

Use from a conftest with ``from sandbox.pytest_plugin import sb``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from sandbox.server import Sandbox
from sandbox.testing import discord_pointed_at


@pytest.fixture
async def sb(request: pytest.FixtureRequest) -> AsyncIterator[Sandbox]:
    """Run a sandbox with discord.py pointed at it; unexpected errors fail at teardown.

    Mark a test ``@pytest.mark.sandbox_options(rate_limits=False, ...)`` to pass options.
    """
    marker = request.node.get_closest_marker("sandbox_options")
    options = dict(marker.kwargs) if marker is not None else {}
    async with Sandbox(**options) as sandbox:
        with discord_pointed_at(sandbox):
            yield sandbox
    sandbox.assert_no_unexpected_errors()
