"""Projects a mentor is confident with, and peers who can take a student over.

"Don't be afraid to choose only the projects you are confident with: other mentors can take
over." A mentor declares projects (or families of projects, free text) as `confident` or
`rather_not`; `/prep` and the review nudge say so kindly when a student's project is outside
that list, and `/coach peers` finds the listed mentors confident with a project.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from bot.db import Database, Reader
from bot.refusal import Refusal
from bot.storage import expertise as store
from bot.storage.expertise import PROJECT_MAX, STANCES, ProjectStance

log = logging.getLogger(__name__)

FORGET: Final = "forget"
PEERS_SHOWN: Final = 20


def matches(declared: str, project: str) -> bool:
    """Tell whether a declared project (or family) covers a student's project, ignoring case."""
    wanted, actual = declared.casefold().strip(), project.casefold().strip()
    return bool(wanted) and (wanted in actual or actual in wanted)


def clean_project(text: str) -> str:
    """Return a project name as stored: trimmed, one line, at most PROJECT_MAX characters."""
    printable = "".join(ch for ch in text if unicodedata.category(ch) != "Cc" or ch.isspace())
    project = " ".join(printable.split())
    if not project:
        raise Refusal("expertise.empty_project")
    if len(project) > PROJECT_MAX:
        raise Refusal("expertise.project_too_long", limit=PROJECT_MAX)
    return project


async def declare(
    db: Database, guild_id: int, mentor_id: int, project: str, stance: str, now: datetime
) -> list[ProjectStance]:
    """Record how a mentor feels about a project (or forget it); return their whole list."""
    name = clean_project(project)
    async with db.transaction() as tx:
        if stance == FORGET:
            if not await store.forget_project(tx, guild_id, mentor_id, name):
                raise Refusal("expertise.not_declared", project=name)
        elif stance in STANCES:
            await store.set_stance(tx, guild_id, mentor_id, name, stance, now)
        else:
            raise Refusal("expertise.bad_stance")
    log.info("Mentor %s declared a project stance in guild %s", mentor_id, guild_id)
    return await store.stances_of(db, guild_id, mentor_id)


async def set_listed(
    db: Database, guild_id: int, mentor_id: int, listed: bool, now: datetime
) -> None:
    """Record whether a mentor agrees to be listed by `/coach peers`."""
    async with db.transaction() as tx:
        await store.set_listed(tx, guild_id, mentor_id, listed, now)


async def is_listed(db: Reader, guild_id: int, mentor_id: int) -> bool:
    """Tell whether a mentor agreed to be listed by `/coach peers` in a server."""
    return await store.is_listed(db, guild_id, mentor_id)


@dataclass(frozen=True)
class Fit:
    """How a student's project sits with their mentor's declared projects."""

    outside: bool
    """The project is one the mentor would rather not mentor, or not among the confident ones."""
    rather_not: bool


async def fit_of(db: Reader, guild_id: int, mentor_id: int, project: str) -> Fit:
    """Tell whether a project is outside what the mentor declared (nothing declared: inside)."""
    stances = await store.stances_of(db, guild_id, mentor_id)
    rather_not = any(s.stance == "rather_not" and matches(s.project, project) for s in stances)
    confident = [s for s in stances if s.stance == "confident"]
    unsure = bool(confident) and not any(matches(s.project, project) for s in confident)
    return Fit(outside=rather_not or unsure, rather_not=rather_not)


async def peers_for(
    db: Reader, guild_id: int, project: str, *, besides: int | None = None
) -> list[int]:
    """Return the listed mentors confident with a project, by id (never `besides`)."""
    found: list[int] = []
    for stance in await store.listed_confident(db, guild_id):
        if stance.mentor_id == besides or stance.mentor_id in found:
            continue
        if matches(stance.project, project):
            found.append(stance.mentor_id)
    return found[:PEERS_SHOWN]


async def project_choices(db: Reader, guild_id: int, typed: str) -> list[str]:
    """Offer the server's known projects that match what is typed."""
    folded = typed.casefold().strip()
    return [p for p in await store.server_projects(db, guild_id) if folded in p.casefold()][:25]
