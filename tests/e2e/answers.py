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


def headed_blocks(message: MessageView) -> list[tuple[str, str]]:
    """Return the blocks a message shows under `### ` headings, in order: (heading, text).

    A Components V2 reminder titles each part so (the check-in, the links, ...): this is
    what an embed's fields were.
    """
    blocks: list[tuple[str, list[str]]] = []
    for line in message.text.split("\n"):
        if line.startswith("### "):
            blocks.append((line.removeprefix("### "), []))
        elif blocks:
            blocks[-1][1].append(line)
    return [(heading, "\n".join(lines)) for heading, lines in blocks]
