"""REST: application command sync (bulk overwrite and listing), global and per guild."""

from __future__ import annotations

from aiohttp import web

from sandbox.app_keys import context
from sandbox.context import raw_body, snowflake
from sandbox.errors import UNKNOWN_GUILD, ApiError, invalid_form, json_response, unknown
from sandbox.models import Json
from sandbox.state import SandboxState
from sandbox.validation import validate_commands

API = "/api/v10"


def scope_of(request: web.Request) -> int | None:
    """Read the command scope of the path: None (global) or a guild id; 403 for another app."""
    state = context(request).state
    if snowflake(request, "application_id") != state.application_id:
        raise ApiError(403, 50001, "Missing Access")
    if "guild_id" not in request.match_info:
        return None
    guild_id = snowflake(request, "guild_id")
    if guild_id not in state.guilds:
        raise unknown("Guild", UNKNOWN_GUILD)
    return guild_id


def stored(state: SandboxState, scope: int | None, command: Json) -> Json:
    """Store a synced command as Discord does: its id stable per name, a new version."""
    kind = int(command.get("type") or 1)
    name = str(command["name"])
    key = (scope, kind, name)
    command_id = state.command_ids.setdefault(key, state.ids.next())
    result: Json = {
        "id": str(command_id),
        "application_id": str(state.application_id),
        "version": str(state.ids.next()),
        "type": kind,
        "name": name,
        "description": command.get("description") or "",
        "options": command.get("options") or [],
        "default_member_permissions": command.get("default_member_permissions"),
        "dm_permission": command.get("dm_permission", True),
        "nsfw": bool(command.get("nsfw", False)),
        "contexts": command.get("contexts"),
        "integration_types": command.get("integration_types") or [0],
        "name_localizations": command.get("name_localizations"),
        "description_localizations": command.get("description_localizations"),
    }
    if scope is not None:
        result["guild_id"] = str(scope)
    return result


async def put(request: web.Request) -> web.StreamResponse:
    """Bulk overwrite the commands of a scope (validated first)."""
    state = context(request).state
    scope = scope_of(request)
    commands = raw_body(request)
    if commands is None:
        commands = []
    errors = validate_commands(commands)
    if errors:
        raise invalid_form(errors.tree)
    assert isinstance(commands, list)
    state.commands[scope] = [stored(state, scope, c) for c in commands]
    state.notify()
    return json_response(state.commands[scope])


async def get(request: web.Request) -> web.StreamResponse:
    """Serve the commands of a scope."""
    return json_response(context(request).state.commands.get(scope_of(request), []))


async def get_one(request: web.Request) -> web.StreamResponse:
    """One command of a scope, by id."""
    wanted = request.match_info["command_id"]
    for command in context(request).state.commands.get(scope_of(request), []):
        if command["id"] == wanted:
            return json_response(command)
    raise unknown("application command", 10063)


BASE = f"{API}/applications/{{application_id}}"
routes = [
    route
    for prefix in (BASE, f"{BASE}/guilds/{{guild_id}}")
    for route in (
        web.put(f"{prefix}/commands", put),
        web.get(f"{prefix}/commands", get),
        web.get(f"{prefix}/commands/{{command_id}}", get_one),
    )
]
"""The command routes, global then per guild."""
