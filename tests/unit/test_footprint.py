"""What the bot loads at start: no charting stack until a chart is drawn."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("matplotlib", "numpy", "PIL", "dateparser", "icalendar")


def test_starting_the_bot_imports_no_charting_library() -> None:
    script = (
        "import importlib, sys\n"
        "import bot.__main__\n"
        "from bot.app import EXTENSIONS\n"
        "for name in EXTENSIONS:\n"
        "    importlib.import_module(name)\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert loaded.stdout.strip() == ""
    drawn = subprocess.run(
        [
            sys.executable,
            "-c",
            script.replace(
                "print(",
                "import bot.services.program_stats as s\ns.render_chart([], {}, 't')\nprint(",
            ),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert "matplotlib" in drawn.stdout  # the check can see it when it is there
