"""Tell the student of every change to their sessions, inside the change's own transaction.

Changes wait `WINDOW` in the database: several made in a minute reach the student as one
message, and a restart loses none of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from bot.db import Database, Transaction
from bot.storage import news as store
from bot.storage.news import Change, NewChange, News
from bot.storage.sessions import SessionView

WINDOW = timedelta(minutes=1)
"""How long a change waits for others to go out with it."""


async def tell(tx: Transaction, change: NewChange, now: datetime) -> bool:
    """Queue one change for its recipient, unless they turned session news off."""
    if not await store.wants_news(tx, change.recipient_id):
        return False
    await store.add(tx, change, now, WINDOW)
    return True


def change_of(view: SessionView, change: Change, **extra: object) -> NewChange:
    """Describe a change to one session for its student."""
    starts_at = extra.pop("starts_at", view.session.starts_at)
    old = extra.pop("old_starts_at", None)
    assert starts_at is None or isinstance(starts_at, datetime)
    assert old is None or isinstance(old, datetime)
    return NewChange(
        recipient_id=view.student_id,
        guild_id=view.guild_id,
        mentorship_id=view.mentorship_id,
        mentor_id=view.mentor_id,
        change=change,
        session_id=view.session.id,
        starts_at=starts_at,
        old_starts_at=old,
        detail={
            "kind": view.session.kind,
            "minutes": view.session.duration_minutes,
            **extra,
        },
    )


def fold(items: Sequence[News]) -> list[News]:
    """Collapse the changes of one session into what the student needs to know now.

    Scheduled then moved reads as scheduled at the new time; moved twice reads as one move
    from the first time to the last; scheduled then cancelled is not worth a word; moved then
    cancelled reads as the original time cancelled. Series and mentorship news stay as they are.
    """
    folded: list[News] = []
    by_session: dict[int, int] = {}
    for item in items:
        if item.session_id is None or item.change not in (
            Change.SCHEDULED,
            Change.RESCHEDULED,
            Change.CANCELLED,
        ):
            folded.append(item)
            continue
        at = by_session.get(item.session_id)
        if at is None:
            by_session[item.session_id] = len(folded)
            folded.append(item)
            continue
        earlier = folded[at]
        folded[at] = _merge(earlier, item)
    return [item for item in folded if not _is_nothing(item)]


def _merge(earlier: News, later: News) -> News:
    if earlier.change is Change.SCHEDULED:
        if later.change is Change.CANCELLED:
            return replace(earlier, change=Change.CANCELLED, detail={"void": True})
        return replace(earlier, starts_at=later.starts_at)
    if earlier.change is Change.RESCHEDULED:
        if later.change is Change.CANCELLED:
            return replace(later, starts_at=earlier.old_starts_at)
        asked = bool(earlier.detail.get("asked")) or bool(later.detail.get("asked"))
        return replace(
            later, old_starts_at=earlier.old_starts_at, detail={**later.detail, "asked": asked}
        )
    return later


def _is_nothing(item: News) -> bool:
    if item.detail.get("void"):
        return True
    return item.change is Change.RESCHEDULED and item.starts_at == item.old_starts_at


async def wants_news(db: Database, user_id: int, wanted: bool | None, now: datetime) -> bool:
    """Change whether a person hears of changes to their sessions (when `wanted` is given).

    Return the setting as it now is. Turning news off drops what was still waiting.
    """
    if wanted is None:
        return await store.wants_news(db, user_id)
    async with db.transaction() as tx:
        await store.set_wants_news(tx, user_id, wanted, now)
        if not wanted:
            await store.drop_waiting(tx, user_id, now)
    return wanted


async def mentor_name(db: Database, mentorship_id: int) -> str | None:
    """Return the name the mentor of a mentorship was last seen with, if known."""
    return await store.mentor_name(db, mentorship_id)
