"""Reading the bot's answer to a click that also redraws the clicked message."""

from __future__ import annotations

from sandbox import Sandbox
from sandbox.views import MessageView, Reply


async def answer_to(sb: Sandbox, reply: Reply) -> MessageView:
    """Return the private answer to a click (its last followup), once it has arrived.

    A Share or Send button acknowledges by updating its own message (to show it was used),
    then answers with a new private message.
    """
    await sb.wait_for(lambda: bool(reply.followups))
    return reply.followups[-1]
