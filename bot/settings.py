"""Settings read from the environment and `.env`."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger(__name__)

APP_NAME = "mentor-coach"
DATABASE_NAME = "mentor-coach.db"


def default_state_dir() -> Path:
    """Where the bot keeps its database when told nothing: never inside the package.

    `$STATE_DIRECTORY` (set by systemd's `StateDirectory=`), else `$XDG_STATE_HOME/mentor-coach`,
    else `~/.local/state/mentor-coach` (the XDG default, as platformdirs' user state dir).
    """
    systemd = os.environ.get("STATE_DIRECTORY", "").split(":")[0].strip()
    if systemd:
        return Path(systemd)
    xdg = os.environ.get("XDG_STATE_HOME", "").strip()
    base = Path(xdg) if xdg else Path.home() / ".local" / "state"
    return base / APP_NAME


class Settings(BaseSettings):
    """Everything the bot can be told from outside; see `.env.example`."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    discord_token: SecretStr | None = Field(default=None)
    state_dir: Path = Field(default_factory=default_state_dir)
    database_path: Path = Path(DATABASE_NAME)
    """Filled from `state_dir` when not given (see `_database_in_state_dir`)."""
    dev_guild_id: int | None = None
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"
    sandbox_host: str = "127.0.0.1"
    sandbox_port: int = 8765
    default_timezone: str = "UTC"
    health_host: str = "127.0.0.1"
    health_port: int | None = None
    """The health and metrics endpoint's port; empty: no endpoint (the default)."""
    feed_base_url: str | None = None
    """The public address of the endpoint, for calendar feed links (`https://host[/prefix]`);
    empty: `http://HEALTH_HOST:HEALTH_PORT`. Feeds exist only while the endpoint is on."""

    @model_validator(mode="before")
    @classmethod
    def _database_in_state_dir(cls, values: Any) -> Any:
        """Read an empty `.env` line as the default; no `DATABASE_PATH`: put it in `STATE_DIR`."""
        if not isinstance(values, dict):
            return values
        values = {
            key: value
            for key, value in values.items()
            if not (isinstance(value, str) and not value.strip())
        }
        if values.get("database_path") is None:
            state = values.get("state_dir")
            folder = Path(state) if state is not None else default_state_dir()
            values["database_path"] = folder / DATABASE_NAME
        return values

    @property
    def uses_sandbox(self) -> bool:
        """Tell whether no token is given (only the playground runs then)."""
        return self.discord_token is None or not self.discord_token.get_secret_value().strip()

    @property
    def backup_dir(self) -> Path:
        """Where automatic backups (before a migration) go: beside the database."""
        return self.database_path.parent / "backups"
