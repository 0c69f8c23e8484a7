"""The command line: a refused token ends with one clear line, not a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.__main__ import BAD_TOKEN, main, run_bot
from bot.settings import Settings
from sandbox import Sandbox


async def test_a_refused_token_gives_one_clear_line(
    sb: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(_env_file=None, database_path=tmp_path / "bot.db")  # type: ignore[call-arg]
    code = await run_bot(settings, "not-the-token", sync_globally_on_start=False)
    assert code == 2
    err = capsys.readouterr().err
    assert err.strip() == BAD_TOKEN
    assert "Traceback" not in err
    sb.take_unexpected_errors()  # the 401 was the point of this test


def test_sync_without_a_token_explains_what_to_do(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    assert main(["sync"]) == 2
    assert "Set DISCORD_TOKEN" in capsys.readouterr().err
