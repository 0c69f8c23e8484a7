"""Built-in content (TOML, see README.md), installed as the package `bot.data`."""
