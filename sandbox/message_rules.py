"""Message rules beyond simple lengths: uploads, allowed mentions, link URLs, Components V2."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from sandbox.errors import ENTITY_TOO_LARGE, ApiError
from sandbox.models import Json

Path = tuple[str | int, ...]

MAX_FILES = 10
MAX_MENTION_IDS = 100
V2_TOTAL = 40
"""A Components V2 message holds at most 40 components, nested ones included."""
V2_TEXT_TOTAL = 4000
"""A Components V2 message holds at most 4000 characters of text, all text displays together."""

ACTION_ROW, BUTTON, SECTION, TEXT_DISPLAY, THUMBNAIL = 1, 2, 9, 10, 11
MEDIA_GALLERY, FILE, SEPARATOR, CONTAINER = 12, 13, 14, 17
SELECTS = (3, 5, 6, 7, 8)
V2_TOP = (ACTION_ROW, SECTION, TEXT_DISPLAY, MEDIA_GALLERY, FILE, SEPARATOR, CONTAINER)
IN_CONTAINER = (ACTION_ROW, SECTION, TEXT_DISPLAY, MEDIA_GALLERY, FILE, SEPARATOR)
URL_SCHEMES = ("http", "https", "discord")


def check_uploads(payload: Json, uploads: dict[str, Any], limit: int) -> None:
    """413 40005 over the size limit (all files of a request together)."""
    total = sum(len(getattr(upload, "data", b"")) for upload in uploads.values())
    if total > limit:
        raise ApiError(413, ENTITY_TOO_LARGE, "Request entity too large")


def check_file_count(errors: Any, payload: Json, uploads: dict[str, Any]) -> None:
    """At most 10 attachments, whether listed in ``attachments`` or only sent as files."""
    listed = payload.get("attachments")
    if isinstance(listed, list) and len(listed) > MAX_FILES:
        errors.add(("attachments",), "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
    elif len(uploads) > MAX_FILES:
        errors.add(("files",), "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")


def check_allowed_mentions(errors: Any, allowed: Any) -> None:
    """``users``/``roles`` up to 100 ids each, and never together with the same ``parse``."""
    if not isinstance(allowed, dict):
        return
    parse = allowed.get("parse") or []
    for key in ("users", "roles"):
        ids = allowed.get(key)
        if ids is None:
            continue
        if isinstance(ids, list) and len(ids) > MAX_MENTION_IDS:
            errors.add(
                ("allowed_mentions", key), "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length."
            )
        if key in parse:
            errors.add(
                ("allowed_mentions",),
                "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                f'parse:["{key}"] and {key}: [ids] are mutually exclusive.',
            )


def check_url(errors: Any, path: Path, url: Any) -> None:
    """Check a link button's URL: well formed, http(s) or discord, at most 512 characters."""
    if not isinstance(url, str) or not url:
        return
    if len(url) > 512:
        errors.add(path, "BASE_TYPE_MAX_LENGTH", "Must be 512 or fewer in length.")
        return
    parts = urlsplit(url)
    if not parts.scheme or not (parts.netloc or parts.scheme == "discord"):
        errors.add(path, "URL_TYPE_INVALID_URL", "Not a well formed URL.")
    elif parts.scheme not in URL_SCHEMES:
        errors.add(
            path,
            "URL_TYPE_INVALID_SCHEME",
            f'Scheme "{parts.scheme}" is not supported. Scheme must be one of {URL_SCHEMES}.',
        )


def count_components(components: list[Json]) -> int:
    """Count every component, nested ones (children, section accessory) included."""
    total = 0
    for component in components:
        if not isinstance(component, dict):
            continue
        total += 1
        total += count_components(component.get("components") or [])
        accessory = component.get("accessory")
        if isinstance(accessory, dict):
            total += 1
    return total


def check_v2(errors: Any, payload: Json, components: Any, check_row: Any) -> None:
    """With the IS_COMPONENTS_V2 flag: no content or embeds, <= 40 components, a valid tree.

    ``check_row(errors, path, row)`` validates an action row like a classic message's.
    """
    if payload.get("content"):
        errors.add(
            ("content",),
            "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
            "The 'content' field cannot be used when using MessageFlags.IS_COMPONENTS_V2",
        )
    if payload.get("embeds"):
        errors.add(
            ("embeds",),
            "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
            "The 'embeds' field cannot be used when using MessageFlags.IS_COMPONENTS_V2",
        )
    if not isinstance(components, list):
        return
    if len(components) > V2_TOTAL:
        errors.add(("components",), "BASE_TYPE_MAX_LENGTH", "Must be 40 or fewer in length.")
    elif count_components(components) > V2_TOTAL:
        errors.add(
            ("components",),
            "COMPONENT_MAX_TOTAL_COMPONENTS_EXCEEDED",
            f"The message has more than {V2_TOTAL} components in total.",
        )
    for index, component in enumerate(components):
        _check_v2_node(errors, ("components", index), component, V2_TOP, check_row)
    if len("".join(v2_texts(components))) > V2_TEXT_TOTAL:
        errors.add(
            ("components",),
            "BASE_TYPE_MAX_LENGTH",
            f"The text displays of the message hold more than {V2_TEXT_TOTAL} characters.",
        )


def v2_texts(components: Any) -> list[str]:
    """Return the text of every text display in a Components V2 tree (sections' included)."""
    texts: list[str] = []
    for component in components if isinstance(components, list) else []:
        if not isinstance(component, dict):
            continue
        if component.get("type") == TEXT_DISPLAY and isinstance(component.get("content"), str):
            texts.append(component["content"])
        texts.extend(v2_texts(component.get("components")))
    return texts


def check_v2_edit(errors: Any, payload: Json) -> None:
    """Refuse content or embeds in an edit of a Components V2 message: it stays one."""
    for key in ("content", "embeds"):
        if payload.get(key):
            errors.add(
                (key,),
                "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                f"The '{key}' field cannot be used when using MessageFlags.IS_COMPONENTS_V2",
            )


def _invalid(errors: Any, path: Path) -> None:
    errors.add((*path, "type"), "UNION_TYPE_CHOICES", "Invalid component type here")


def _check_media(errors: Any, path: Path, media: Any) -> None:
    url = (media or {}).get("url") if isinstance(media, dict) else None
    if not isinstance(url, str) or not url:
        errors.add((*path, "url"), "BASE_TYPE_REQUIRED", "This field is required")
    elif not url.startswith("attachment://"):
        check_url(errors, (*path, "url"), url)


def _check_v2_node(
    errors: Any, path: Path, node: Any, allowed: tuple[int, ...], check_row: Any
) -> None:
    if not isinstance(node, dict) or node.get("type") not in allowed:
        _invalid(errors, path)
        return
    check = _V2_CHECKS.get(node["type"])
    if check is not None:
        check(errors, path, node, check_row)


def _check_row_node(errors: Any, path: Path, node: Json, check_row: Any) -> None:
    check_row(errors, path, node)


def _check_text_display(errors: Any, path: Path, node: Json, check_row: Any) -> None:
    content = node.get("content")
    if not isinstance(content, str) or not 1 <= len(content) <= 4000:
        errors.add(
            (*path, "content"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 4000 in length."
        )


def _check_section(errors: Any, path: Path, node: Json, check_row: Any) -> None:
    children = node.get("components") or []
    if not 1 <= len(children) <= 3:
        errors.add(
            (*path, "components"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 3 in length."
        )
    for number, child in enumerate(children):
        _check_v2_node(errors, (*path, "components", number), child, (TEXT_DISPLAY,), check_row)
    accessory = node.get("accessory")
    if not isinstance(accessory, dict):
        errors.add((*path, "accessory"), "BASE_TYPE_REQUIRED", "This field is required")
    elif accessory.get("type") == THUMBNAIL:
        _check_media(errors, (*path, "accessory", "media"), accessory.get("media"))
    elif accessory.get("type") == BUTTON:
        check_row(errors, (*path, "accessory_row"), {"type": 1, "components": [accessory]})
    else:
        _invalid(errors, (*path, "accessory"))


def _check_gallery(errors: Any, path: Path, node: Json, check_row: Any) -> None:
    items = node.get("items") or []
    if not 1 <= len(items) <= 10:
        errors.add((*path, "items"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 10 in length.")
    for number, item in enumerate(items):
        _check_media(errors, (*path, "items", number, "media"), (item or {}).get("media"))


def _check_file(errors: Any, path: Path, node: Json, check_row: Any) -> None:
    url = ((node.get("file") or {}) if isinstance(node.get("file"), dict) else {}).get("url")
    if not isinstance(url, str) or not url.startswith("attachment://"):
        errors.add(
            (*path, "file", "url"),
            "COMPONENT_FILE_URL_NOT_ATTACHMENT",
            "A file component must reference an attachment (attachment://name).",
        )


def _check_separator(errors: Any, path: Path, node: Json, check_row: Any) -> None:
    if node.get("spacing", 1) not in (1, 2):
        errors.add((*path, "spacing"), "BASE_TYPE_CHOICES", "Value must be one of (1, 2).")


def _check_container(errors: Any, path: Path, node: Json, check_row: Any) -> None:
    children = node.get("components") or []
    if not children:
        errors.add((*path, "components"), "BASE_TYPE_REQUIRED", "This field is required")
    for number, child in enumerate(children):
        _check_v2_node(errors, (*path, "components", number), child, IN_CONTAINER, check_row)


_V2_CHECKS: dict[int, Callable[[Any, Path, Json, Any], None]] = {
    ACTION_ROW: _check_row_node,
    TEXT_DISPLAY: _check_text_display,
    SECTION: _check_section,
    MEDIA_GALLERY: _check_gallery,
    FILE: _check_file,
    SEPARATOR: _check_separator,
    CONTAINER: _check_container,
}
"""The rules of each Components V2 type (its place in the tree is checked first)."""
