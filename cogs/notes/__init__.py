"""`/note` and "Save as note": a mentor's private notes on students, shared on demand."""

from __future__ import annotations

from bot.app import MentorCoach
from bot.record_ui import offer_after_recording
from bot.sharing import ShareAgainButton
from cogs.notes._views import ShareNoteButton, WriteNotesButton
from cogs.notes.cog import NotesCog, write_notes_view

__all__ = ["NotesCog", "setup", "teardown", "write_notes_view"]


async def setup(bot: MentorCoach) -> None:
    """Register the persistent buttons and add the cog."""
    bot.add_dynamic_items(WriteNotesButton, ShareNoteButton, ShareAgainButton)
    offer_after_recording(write_notes_view)
    await bot.add_cog(NotesCog(bot))


async def teardown(bot: MentorCoach) -> None:
    """Forget the persistent buttons."""
    bot.remove_dynamic_items(WriteNotesButton, ShareNoteButton, ShareAgainButton)
    offer_after_recording(None)
