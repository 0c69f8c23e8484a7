"""`/prep`, `/feedback`, `/coach` and `/progress`: the mentor's coaching tools."""

from __future__ import annotations

from bot.app import MentorCoach
from bot.prep_ui import PrepSelect
from cogs.coaching._handover import HANDOVER_BUTTONS
from cogs.coaching._views import FeedbackButton
from cogs.coaching.cog import CoachingCog

__all__ = ["CoachingCog", "setup", "teardown"]


async def setup(bot: MentorCoach) -> None:
    """Add the cog and the restart-proof prep, feedback and hand-over components."""
    bot.add_dynamic_items(PrepSelect, FeedbackButton, *HANDOVER_BUTTONS)
    await bot.add_cog(CoachingCog(bot))


async def teardown(bot: MentorCoach) -> None:
    """Forget the restart-proof components when the extension is unloaded."""
    bot.remove_dynamic_items(PrepSelect, FeedbackButton, *HANDOVER_BUTTONS)
