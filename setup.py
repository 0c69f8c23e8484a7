"""Packaging beyond pyproject.toml: ship the top-level `data/` folder as the package `bot.data`.

`data/` stays where operators and contributors look for it (the repository's root); the wheel
installs it as `bot/data/`, read through `importlib.resources` (see `bot/content.py`). Everything
else about the project is in pyproject.toml.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["bot*", "cogs*", "sandbox*"]), "bot.data"],
    package_dir={"bot.data": "data"},
)
