"""Mentor Coach: a Discord bot that coaches mentors of online-training students."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mentor-coach")
except PackageNotFoundError:  # a bare checkout on sys.path, never installed
    __version__ = "0.0.0+unknown"
