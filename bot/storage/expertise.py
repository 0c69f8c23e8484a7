"""Projects a mentor is confident with or would rather not mentor, and who may be listed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from bot.clock import iso
from bot.db import Reader, Transaction

STANCES: Final = ("confident", "rather_not")
PROJECT_MAX: Final = 100


@dataclass(frozen=True)
class ProjectStance:
    """One project (or family of projects) a mentor declared, and how they feel about it."""

    mentor_id: int
    project: str
    stance: str


async def set_stance(
    tx: Transaction, guild_id: int, mentor_id: int, project: str, stance: str, now: datetime
) -> None:
    """Record (or change) a mentor's stance on a project in a server."""
    await tx.execute(
        "INSERT INTO mentor_projects (guild_id, mentor_id, project, stance, created_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, mentor_id, project) "
        "DO UPDATE SET stance = excluded.stance",
        (guild_id, mentor_id, project, stance, iso(now)),
    )


async def forget_project(tx: Transaction, guild_id: int, mentor_id: int, project: str) -> bool:
    """Forget a project a mentor declared; return whether there was one."""
    changed = await tx.changes(
        "DELETE FROM mentor_projects WHERE guild_id = ? AND mentor_id = ? AND project = ?",
        (guild_id, mentor_id, project),
    )
    return changed > 0


async def stances_of(db: Reader, guild_id: int, mentor_id: int) -> list[ProjectStance]:
    """Return the projects a mentor declared in a server, confident ones first."""
    rows = await db.fetch_all(
        "SELECT mentor_id, project, stance FROM mentor_projects "
        "WHERE guild_id = ? AND mentor_id = ? ORDER BY stance, project",
        (guild_id, mentor_id),
    )
    return [ProjectStance(row["mentor_id"], row["project"], row["stance"]) for row in rows]


async def listed_confident(db: Reader, guild_id: int) -> list[ProjectStance]:
    """Return every confident project of the mentors who agreed to be listed in a server."""
    rows = await db.fetch_all(
        "SELECT p.mentor_id, p.project, p.stance FROM mentor_projects p "
        "JOIN peer_listing l ON l.guild_id = p.guild_id AND l.mentor_id = p.mentor_id "
        "WHERE p.guild_id = ? AND p.stance = 'confident' ORDER BY p.mentor_id, p.project",
        (guild_id,),
    )
    return [ProjectStance(row["mentor_id"], row["project"], row["stance"]) for row in rows]


async def set_listed(
    tx: Transaction, guild_id: int, mentor_id: int, listed: bool, now: datetime
) -> None:
    """Record whether a mentor agrees to be listed by `/coach peers` in a server."""
    if listed:
        await tx.execute(
            "INSERT INTO peer_listing (guild_id, mentor_id, listed_at) VALUES (?, ?, ?) "
            "ON CONFLICT (guild_id, mentor_id) DO NOTHING",
            (guild_id, mentor_id, iso(now)),
        )
    else:
        await tx.execute(
            "DELETE FROM peer_listing WHERE guild_id = ? AND mentor_id = ?", (guild_id, mentor_id)
        )


async def is_listed(db: Reader, guild_id: int, mentor_id: int) -> bool:
    """Tell whether a mentor agreed to be listed in a server."""
    row = await db.fetch_one(
        "SELECT 1 FROM peer_listing WHERE guild_id = ? AND mentor_id = ?", (guild_id, mentor_id)
    )
    return row is not None


async def server_projects(db: Reader, guild_id: int) -> list[str]:
    """Return the projects a server already knows: its mentorships' and its mentors' own."""
    rows = await db.fetch_all(
        "SELECT project FROM mentorships WHERE guild_id = ? AND status = 'active' "
        "UNION SELECT project FROM mentor_projects WHERE guild_id = ? ORDER BY project",
        (guild_id, guild_id),
    )
    return [str(row["project"]) for row in rows]
