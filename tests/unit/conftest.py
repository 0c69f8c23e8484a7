"""Fixtures shared by the unit tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.db import Database


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A fresh database with every migration applied, closed after the test."""
    database = await Database.open(tmp_path / "mentor-coach.db")
    yield database
    await database.close()
