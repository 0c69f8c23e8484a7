"""The default world: the "Mentoring Community" guild and its people."""

from __future__ import annotations

from dataclasses import dataclass

from sandbox import permissions
from sandbox.models import Guild
from sandbox.state import SandboxState


@dataclass(frozen=True)
class PersonaSpec:
    """Who a default persona is."""

    username: str
    global_name: str
    locale: str
    role: str | None


MODERATOR = PersonaSpec("morgan", "Morgan (mod)", "en-US", "Moderator")
PERSONAS: tuple[PersonaSpec, ...] = (
    MODERATOR,
    PersonaSpec("mara", "Mara", "en-GB", "Mentor"),
    PersonaSpec("mehdi", "Mehdi", "fr", "Mentor"),
    PersonaSpec("sam", "Sam", "en-US", "Student"),
    PersonaSpec("sofia", "Sofia", "fr", "Student"),
    PersonaSpec("tom", "Tom", "de", "Student"),
    PersonaSpec("olga", "Olga", "es-ES", None),
)

CHANNELS: tuple[tuple[str, str], ...] = (
    ("general", "Say hello"),
    ("reminders", "Session reminders"),
    ("mod-log", "What the bot did"),
)


def build_default_world(state: SandboxState) -> Guild:
    """Create the Mentoring Community guild with its roles, channels and personas."""
    users = {
        spec.username: state.add_user(
            spec.username, global_name=spec.global_name, locale=spec.locale
        )
        for spec in PERSONAS
    }
    guild = state.add_guild("Mentoring Community", users[MODERATOR.username])
    roles = {
        "Moderator": state.add_role(guild, "Moderator", permissions.MODERATOR),
        "Mentor": state.add_role(guild, "Mentor", permissions.MENTOR, mentionable=True),
        "Student": state.add_role(guild, "Student", 0, mentionable=True),
    }
    for name, topic in CHANNELS:
        state.add_channel(guild, name, topic=topic)
    for spec in PERSONAS:
        user = users[spec.username]
        member_roles = [roles[spec.role]] if spec.role else []
        if user.id in guild.members:
            guild.members[user.id].roles = [r.id for r in member_roles]
        else:
            state.add_member(guild, user, roles=member_roles)
    return guild
