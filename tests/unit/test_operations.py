"""Operator-facing pieces: where state lives, the settings file, log lines, the invite link."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import discord
import pytest

from bot import __version__
from bot.__main__ import main
from bot.invite import INVITE_PERMISSIONS, invite_url
from bot.log_format import _OurHandler, configure_logging
from bot.settings import Settings, default_state_dir
from cogs.moderation._views import CHANNEL_NEEDS

REPO = Path(__file__).resolve().parents[2]


def test_the_database_lives_in_a_state_directory_of_its_own(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("STATE_DIRECTORY", "XDG_STATE_HOME", "STATE_DIR", "DATABASE_PATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_state_dir() == tmp_path / "home" / ".local" / "state" / "mentor-coach"
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    assert default_state_dir() == tmp_path / "xdg" / "mentor-coach"
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "systemd"))
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.database_path == tmp_path / "systemd" / "mentor-coach.db"
    monkeypatch.setenv("STATE_DIR", str(tmp_path / "mine"))
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.database_path == tmp_path / "mine" / "mentor-coach.db"
    assert settings.backup_dir == tmp_path / "mine" / "backups"
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "elsewhere.db"))
    assert Settings(_env_file=None).database_path == tmp_path / "elsewhere.db"  # type: ignore[call-arg]
    import bot

    package = Path(bot.__file__).resolve().parent
    assert not settings.database_path.resolve().is_relative_to(package)


def test_the_example_settings_file_reads_as_the_defaults(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("STATE_DIRECTORY", "STATE_DIR", "DATABASE_PATH", "HEALTH_PORT", "DEV_GUILD_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    settings = Settings(_env_file=REPO / ".env.example")  # type: ignore[call-arg]
    assert settings.uses_sandbox
    assert settings.database_path == tmp_path / "mentor-coach" / "mentor-coach.db"
    assert settings.health_port is None
    assert settings.health_host == "127.0.0.1"
    assert settings.dev_guild_id is None
    assert settings.log_format == "text"


@pytest.fixture
def logs() -> io.StringIO:
    return io.StringIO()


@pytest.fixture(autouse=True)
def _remove_our_handler() -> Iterator[None]:
    yield None
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _OurHandler)]:
        root.removeHandler(handler)


def test_json_logs_are_one_object_per_line_with_the_traceback_inside(logs: io.StringIO) -> None:
    configure_logging("INFO", "json", stream=logs)
    log = logging.getLogger("bot.test")
    log.info("reminder %s sent", 42, extra={"reminder_id": 42})
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("delivery failed")
    first, second = (json.loads(line) for line in logs.getvalue().splitlines())
    assert first["message"] == "reminder 42 sent"
    assert first["level"] == "INFO"
    assert first["logger"] == "bot.test"
    assert first["reminder_id"] == 42
    assert first["time"].endswith("+00:00")
    assert second["message"] == "delivery failed"
    assert "ValueError: boom" in second["exc"]


def test_text_logs_fold_a_traceback_onto_one_line(logs: io.StringIO) -> None:
    configure_logging("INFO", "text", stream=logs)
    configure_logging("INFO", "text", stream=logs)  # a second call replaces, never doubles
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("bot.test").exception("delivery failed")
    [line] = logs.getvalue().splitlines()
    assert " ERROR   bot.test: delivery failed | Traceback (most recent call last): |" in line
    assert line.endswith("ValueError: boom")


def test_the_invite_asks_only_for_what_the_setup_checks_need() -> None:
    needed = {name for needs in CHANNEL_NEEDS.values() for name in needs}
    assert needed == {"view_channel", "send_messages", "embed_links"}
    assert discord.Permissions(**dict.fromkeys(needed, True)) == INVITE_PERMISSIONS
    assert invite_url(123) == (
        "https://discord.com/oauth2/authorize?client_id=123"
        "&scope=bot+applications.commands&permissions=19456"
    )
    readme = (REPO / "README.md").read_text("utf-8")
    assert "permissions=19456" in readme
    assert "343597501440" not in readme


def test_version_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"mentor-coach {__version__}"
    assert __version__ != "0.0.0+unknown"


def test_no_command_picks_the_playground_without_a_token_and_run_with_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import bot.__main__ as cli

    monkeypatch.chdir(tmp_path)  # no .env
    picked: list[str] = []

    async def playground(settings: Settings, state: Path) -> int:
        picked.append(f"playground:{state}")
        return 0

    async def run(settings: Settings) -> int:
        picked.append("run")
        return 0

    monkeypatch.setattr(cli, "playground", playground)
    monkeypatch.setattr(cli, "run", run)
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    assert main([]) == 0
    monkeypatch.setenv("DISCORD_TOKEN", "a-token")
    assert main([]) == 0
    assert main(["playground"]) == 0  # explicit: the playground even with a token
    assert picked == ["playground:sandbox-state", "run", "playground:sandbox-state"]


def test_the_deploy_files_call_commands_that_exist() -> None:
    import re

    from bot.__main__ import parser

    subcommands = set(parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    calls: list[str] = []
    for name in (
        "Dockerfile",
        "compose.yaml",
        *(f"docs/{p.name}" for p in (REPO / "docs").glob("*.service")),
    ):
        text = (REPO / name).read_text("utf-8")
        calls += re.findall(r'mentor-coach"?,? "?(?!mentor)([a-z]+)', text)
    assert {"run", "health", "backup"} <= set(calls)
    assert set(calls) <= subcommands
    settings = set(Settings.model_fields)
    env_names = re.findall(r"^\s+([A-Z_]+): ", (REPO / "compose.yaml").read_text("utf-8"), re.M)
    env_names += re.findall(
        r"^Environment=(.*)$", (REPO / "docs/mentor-coach.service").read_text(), re.M
    )[0].split()
    assert {"STATE_DIR", "HEALTH_PORT", "LOG_FORMAT"} <= {n.split("=")[0] for n in env_names}
    for name in env_names:
        assert name.split("=")[0].lower() in settings, name
