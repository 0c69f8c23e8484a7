"""Announce the install test in the run's summary (it is the slowest single test)."""

from __future__ import annotations

import pytest

from tests.install.test_wheel import INSTALL_REPORT


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say what the install test did, when it ran."""
    if INSTALL_REPORT:
        terminalreporter.section("install test (tests/install)")
        for line in INSTALL_REPORT:
            terminalreporter.write_line(line)
