"""Settings read from the environment and `.env`."""

from __future__ import annotations

import logging
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger(__name__)

DEFAULT_DATABASE = Path("data/mentor-coach.db")


class Settings(BaseSettings):
    """Everything the bot can be told from outside; see `.env.example`."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    discord_token: SecretStr | None = Field(default=None)
    database_path: Path = DEFAULT_DATABASE
    dev_guild_id: int | None = None
    log_level: str = "INFO"
    sandbox_host: str = "127.0.0.1"
    sandbox_port: int = 8765
    default_timezone: str = "UTC"

    @property
    def uses_sandbox(self) -> bool:
        """Tell whether the bot runs against the local sandbox (no token given)."""
        return self.discord_token is None or not self.discord_token.get_secret_value().strip()
