"""The exporters: CSV, Markdown, iCalendar and JSON files people take away."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.refusal import Refusal
from bot.services.exports import (
    CSV_COLUMNS,
    CalendarEntry,
    calendar_file,
    calendar_ics,
    json_bytes,
    notes_csv,
    notes_markdown,
    session_uid,
    spreadsheet_safe,
)
from bot.storage.privacy import CalendarRow
from bot.vocabulary import SessionKind

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)


def note(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": 1,
        "student_name": "Sam",
        "project": "P2 · Portfolio",
        "title": "Kick-off",
        "body": "Goals: June ✅",
        "created_at": "2026-10-01T08:00:00+00:00",
        "updated_at": "2026-10-01T08:00:00+00:00",
        "shared_at": None,
        "session_id": None,
    }
    return {**base, **overrides}


def read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "spreadsheets need the BOM to read UTF-8"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_keeps_commas_quotes_newlines_and_accents() -> None:
    body = 'Élan, "quotes"\nsecond line; ok'
    rows = read_csv(notes_csv([note(body=body, session_id=7, shared_at="2026-10-02")]))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert rows[0]["body"] == body
    assert rows[0]["session_id"] == "7"
    assert rows[0]["shared_at"] == "2026-10-02"
    assert rows[0]["project"] == "P2 · Portfolio"


@pytest.mark.parametrize("text", ["=1+1", "+33 6", "-2", "@SUM(A1)", "\tx"])
def test_csv_cells_never_start_a_formula(text: str) -> None:
    [row] = read_csv(notes_csv([note(title=text, body=text)]))
    assert row["title"] == "'" + text
    assert row["body"] == "'" + text
    assert spreadsheet_safe("plain") == "plain"


def test_csv_of_no_notes_is_just_the_header() -> None:
    assert read_csv(notes_csv([])) == []


def test_markdown_groups_notes_by_student_and_marks_shared_ones() -> None:
    text = notes_markdown(
        [
            note(title="One"),
            note(id=2, title="Two", shared_at="2026-10-03T10:00:00+00:00"),
            note(id=3, student_name="Sofia", project="P3", title="Three", body="Body\n\n"),
        ],
        heading="My notes",
        shared="shared",
    ).decode()
    assert text.startswith("# My notes\n")
    assert text.count("## Sam · P2 · Portfolio") == 1
    assert text.count("## Sofia · P3") == 1
    assert text.index("### One") < text.index("### Two") < text.index("## Sofia")
    assert "*shared 2026-10-03T10:00:00+00:00*" in text
    assert text.endswith("Body\n")


def entries_weekly(first: datetime, weeks: int) -> list[CalendarEntry]:
    """A weekly series at the same Paris wall-clock time, as the bot stores it (UTC)."""
    out = []
    for week in range(weeks):
        local = first + timedelta(weeks=week)  # wall-clock arithmetic in Europe/Paris
        start = local.astimezone(UTC)
        out.append(CalendarEntry(10 + week, start, start + timedelta(minutes=45), "With Sam"))
    return out


def test_ics_events_are_utc_instants_across_the_october_change() -> None:
    entries = entries_weekly(datetime(2026, 10, 15, 18, 0, tzinfo=PARIS), 4)
    data = calendar_ics(entries, NOW)
    calendar = Calendar.from_ical(data)
    assert str(calendar["version"]) == "2.0"
    events = list(calendar.walk("VEVENT"))
    assert [e.decoded("dtstart").astimezone(UTC).hour for e in events] == [16, 16, 17, 17]
    assert [e.decoded("dtstart").astimezone(PARIS).hour for e in events] == [18, 18, 18, 18]
    assert b"DTSTART:20261029T170000Z" in data
    assert all(e.decoded("dtend") - e.decoded("dtstart") == timedelta(minutes=45) for e in events)
    assert [str(e["uid"]) for e in events] == [session_uid(i) for i in (10, 11, 12, 13)]
    assert all(e.decoded("dtstamp") == NOW for e in events)


def test_ics_escapes_summaries_and_round_trips() -> None:
    start = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    summary = 'Discovery session with Zoë, Jr.; \\ "ok"'
    data = calendar_ics([CalendarEntry(5, start, start + timedelta(minutes=30), summary)], NOW)
    [event] = Calendar.from_ical(data).walk("VEVENT")
    assert str(event["summary"]) == summary
    again = Calendar.from_ical(Calendar.from_ical(data).to_ical())
    assert again.to_ical() == Calendar.from_ical(data).to_ical()
    assert session_uid(5) == session_uid(5) == "session-5@mentor-coach"


def test_calendar_file_names_each_row_and_refuses_when_empty() -> None:
    row = CalendarRow(
        session_id=3,
        starts_at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
        duration_minutes=30,
        kind=SessionKind.REGULAR,
        guild_id=1,
        mentor_id=2,
        student_id=3,
        student_name="Sam",
    )
    done = calendar_file([row], NOW, summary=lambda r: f"{r.kind} with {r.student_name}")
    assert done.filename.endswith(".ics")
    [event] = Calendar.from_ical(done.data).walk("VEVENT")
    assert str(event["summary"]) == "regular with Sam"
    assert event.decoded("dtend") == datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    with pytest.raises(Refusal) as refused:
        calendar_file([], NOW, summary=lambda r: "")
    assert refused.value.key == "exports.no_sessions"


def test_json_is_readable_utf8() -> None:
    data = json_bytes({"name": "Zoë", "n": [1, 2]})
    assert "Zoë" in data.decode()
    assert json.loads(data) == {"name": "Zoë", "n": [1, 2]}


def test_json_is_one_record_a_line_and_reads_back_the_same() -> None:
    data = {
        "a": [],
        "b": {},
        "notes": [{"x": None, "y": True, "z": 'Zoë "q"\n\t<&>', "n": 2**60}, {"x": {"f": [1]}}],
        "person": {"id": "7", "zone": "Europe/Paris"},
    }
    text = json_bytes(data).decode()
    assert json.loads(text) == data
    assert text == (
        "{\n"
        '  "a": [],\n'
        '  "b": {},\n'
        '  "notes": [\n'
        '    {"x": null, "y": true, "z": "Zoë \\"q\\"\\n\\t<&>", "n": 1152921504606846976},\n'
        '    {"x": {"f": [1]}}\n'
        "  ],\n"
        '  "person": {"id": "7", "zone": "Europe/Paris"}\n'
        "}\n"
    )
