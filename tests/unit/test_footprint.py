"""What the bot loads at start: no charting stack until a chart is drawn, no Babel until a date.

Idle memory is a target (bench/interactions.py: <= 70 MiB): a library loaded at start for one
command stays in every idle bot. Babel's modules and locale data are ~4 MiB.
"""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("matplotlib", "numpy", "PIL", "dateparser", "icalendar", "babel", "jsonschema")


def test_starting_the_bot_imports_no_charting_library_nor_babel() -> None:
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
    dated = subprocess.run(
        [
            sys.executable,
            "-c",
            script.replace(
                "print(",
                "import datetime, bot.timefmt as t\nt.day_label(datetime.date(2027, 1, 5), 'fr')\n"
                "print(",
            ),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert "babel" in dated.stdout
