"""Installed as operators install it: the wheel, in a fresh virtual environment, runtime only.

One test (marked `install`, and announced in the run's summary): build the wheel from a copy of
the source tree, install it with `make install` (a fresh venv, the runtime dependencies only,
pinned by constraints.txt), then
run the installed `mentor-coach`: its version, the Dockerfile's entry command without a token,
the playground with one story through its page API (content read from the installed package
data), the Dockerfile's HEALTHCHECK command, /metrics, a backup while it runs, and a clean stop.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import tomllib
import urllib.request
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.__main__ import NO_TOKEN

REPO = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
VERSION = PROJECT["version"]
IGNORED = shutil.ignore_patterns(
    ".git", ".venv*", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis",
    "sandbox-state", "test-artifacts", "*.db", "*.db-*", ".env",
)  # fmt: skip
DEV_ONLY = ("pytest", "ruff", "mypy", "hypothesis", "playwright", "sqlalchemy")
START_TIMEOUT = 60.0

pytestmark = [pytest.mark.install, pytest.mark.timeout(600)]


def dockerfile() -> tuple[list[str], list[str], dict[str, str]]:
    """Return the image's entry command, its health command and its environment."""
    text = (REPO / "Dockerfile").read_text("utf-8").replace("\\\n", " ")
    final = text.split("\nFROM ")[-1]
    entry = json.loads(re.search(r"^ENTRYPOINT (\[.*\])$", final, re.M).group(1))  # type: ignore[union-attr]
    cmd = json.loads(re.search(r"^CMD (\[.*\])$", final, re.M).group(1))  # type: ignore[union-attr]
    health = json.loads(re.search(r"^HEALTHCHECK .*CMD (\[.*\])$", final, re.M).group(1))  # type: ignore[union-attr]
    env: dict[str, str] = {}
    for line in re.findall(r"^ENV (.*)$", final, re.M):
        env.update(pair.split("=", 1) for pair in line.split())
    return entry + cmd, health, env


def free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run(args: list[str], **options: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=False, **options)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `bin/` folder of a fresh venv with the wheel and its runtime dependencies only."""
    root = tmp_path_factory.mktemp("install")
    source = root / "source"
    shutil.copytree(REPO, source, ignore=IGNORED)
    started = time.monotonic()
    built = run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(root / "dist"), "."],
        cwd=source,
    )
    assert built.returncode == 0, built.stderr
    [wheel] = (root / "dist").glob("mentor_coach-*.whl")
    venv = root / "venv"
    # The operator's path: `make install` (a venv, the runtime dependencies, no dev extras).
    done = run(
        ["make", "-s", "install", f"PREFIX={venv}", f"WHEEL={wheel}", "PIP_FLAGS=--no-compile"],
        cwd=source,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    assert done.stdout.strip().startswith(f"Installed mentor-coach {VERSION} in {venv}")
    seconds = time.monotonic() - started
    INSTALL_REPORT.append(
        f"{wheel.name} built and installed by `make install` in a fresh venv in {seconds:.0f} s"
    )
    return venv / "bin"


INSTALL_REPORT: list[str] = []


def wait_for_line(process: subprocess.Popen[str], pattern: str) -> re.Match[str]:
    """Read the process's stdout until a line matches; fail with its stderr if it ends."""
    assert process.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        match = re.search(pattern, line)
        if match:
            return match
    process.kill()
    _, err = process.communicate(timeout=10)
    raise AssertionError(f"no line matching {pattern!r}; stderr:\n{err[-3000:]}")


def call(url: str, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=15) as response:
        text = response.read().decode()
    return json.loads(text) if text.startswith(("{", "[")) else text


def test_the_installed_wheel_runs_as_operators_run_it(installed: Path, tmp_path: Path) -> None:
    bin_dir = installed
    cli = str(bin_dir / "mentor-coach")
    entry, health_cmd, image_env = dockerfile()
    home = tmp_path / "home"
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(home),
        **image_env,
        "STATE_DIR": str(tmp_path / "state"),
        "LOG_FORMAT": "json",
    }
    work = tmp_path / "work"  # no .env here
    work.mkdir()

    # Runtime only: no dev tool came along; the content is package data inside the venv.
    python = str(bin_dir / "python")
    dev_tools = f"import importlib.util as u; print([m for m in {DEV_ONLY!r} if u.find_spec(m)])"
    found = run([python, "-c", dev_tools])
    assert found.stdout.strip() == "[]", found.stderr
    content = "import bot.content as c; print(c.DATA_DIR, len(c.content().topics))"
    where = run([python, "-c", content], cwd=work)
    data_dir, topics = where.stdout.split()
    assert Path(data_dir).is_relative_to(bin_dir.parent), where.stderr
    for language in ("en", "fr"):  # every language's content ships, not a file list
        assert (Path(data_dir) / language / "coaching.toml").is_file(), language
    assert int(topics) >= 8
    assert run([cli, "--version"]).stdout.strip() == f"mentor-coach {VERSION}"

    # The image's entry command (`mentor-coach run`) without a token: one clear line.
    assert entry == ["mentor-coach", "run"]
    refused = run(entry, cwd=work, env=env)
    assert refused.returncode == 2
    assert refused.stderr.strip() == NO_TOKEN
    assert not (tmp_path / "state").exists()  # nothing was created

    # The playground, with the health endpoint on.
    health_port = free_port()
    env["HEALTH_PORT"] = str(health_port)
    marks = [("checks", time.monotonic())]
    process = subprocess.Popen(
        [cli, "playground", "--port", "0", "--state", str(tmp_path / "pg")],
        cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        url = wait_for_line(process, r"^Playground: open (http://127\.0\.0\.1:\d+/) ").group(1)
        marks.append(("start-up", time.monotonic()))
        quiet_from = datetime.now(UTC)
        time.sleep(0.5)
        quiet_until = datetime.now(UTC)
        api = url + "playground/"
        personas = {p["username"]: p["id"] for p in call(api + "personas")["personas"]}
        mara = personas["mara"]
        world = call(api + f"world?persona={mara}")
        general = next(c["id"] for c in world["channels"] if c["name"] == "general")

        # A mentor's story: /help (the version in its footer), then advice from the content.
        for command, options in (("help", {}), ("coach topic", {"topic": "discouraged"})):
            answer = call(
                api + "command",
                {"persona": mara, "channel": general, "command": command, "options": options},
            )
            assert answer["ok"], answer
        messages = call(api + f"messages?persona={mara}&channel={general}")["messages"]
        help_card, advice = (m["embeds"][0] for m in messages[-2:])
        assert help_card["footer"]["text"].endswith(f"· Mentor Coach {VERSION}")
        assert advice["title"].endswith("When a student feels discouraged")
        sam = personas["sam"]
        seen_by_sam = call(api + f"messages?persona={sam}&channel={general}")["messages"]
        assert all(not m["ephemeral"] for m in seen_by_sam)  # mara's replies were hers only

        marks.append(("story", time.monotonic()))
        # The image's HEALTHCHECK command, and the metrics.
        checked = run(health_cmd, cwd=work, env=env)
        assert checked.returncode == 0, checked.stderr
        assert checked.stdout.startswith("healthy: gateway connected")
        metrics = call(f"http://127.0.0.1:{health_port}/metrics")
        helped = 'mentor_coach_interactions_total{command="help",type="application_command"} 1.0'
        assert helped in metrics
        assert 'mentor_coach_answer_seconds_count{command="coach topic"} 1.0' in metrics

        # A backup while it runs.
        database = tmp_path / "pg" / "mentor-coach.db"
        copy = tmp_path / "copy.db"
        at_database = {**env, "DATABASE_PATH": str(database)}
        saved = run([cli, "backup", str(copy)], cwd=work, env=at_database)
        assert saved.returncode == 0, saved.stderr
        with closing(sqlite3.connect(copy)) as connection:
            locales = connection.execute("SELECT COUNT(*) FROM user_prefs").fetchone()[0]
        assert locales >= 1  # the bot remembered mara's language
        marks.append(("health, metrics, backup", time.monotonic()))
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            _, err = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    marks.append(("stop", time.monotonic()))
    assert process.returncode == 0, err[-2000:]
    assert "Traceback" not in err
    records = [json.loads(line) for line in err.splitlines() if line.strip()]
    assert {r["level"] for r in records} <= {"DEBUG", "INFO", "WARNING"}
    # The address stayed the last visible line: nothing was logged until someone acted.
    late = [r for r in records if quiet_from <= datetime.fromisoformat(r["time"]) <= quiet_until]
    assert late == []
    assert not list(bin_dir.parent.rglob("*.db"))  # no database inside the installation
    steps = ", ".join(
        f"{name} {end - begin:.1f} s" for (_, begin), (name, end) in itertools.pairwise(marks)
    )
    INSTALL_REPORT.append(
        "installed mentor-coach: version, entry command, playground story, health command, "
        f"metrics, backup and a clean stop checked ({steps})"
    )
