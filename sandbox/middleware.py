"""Every REST request passes here: log, auth, faults, rate limits, body parsing, spec, errors."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

from sandbox.app_keys import CONTEXT, FAULTS, LATENCY, LIMITER, SPEC
from sandbox.context import BODY, UPLOADS
from sandbox.errors import ApiError, invalid_form, json_response, not_found, unauthorized
from sandbox.faults import Fault
from sandbox.messages import Upload
from sandbox.recorder import ErrorRecord, RequestRecord
from sandbox.validation import Errors, prevalidate

log = logging.getLogger(__name__)

API = "/api/v10"
NO_AUTH_PREFIXES = ("/webhooks/", "/interactions/")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def parse_body(request: web.Request) -> tuple[Any, dict[str, Upload]]:
    """Return the JSON body (or multipart ``payload_json``) and the uploaded files."""
    kind = request.content_type
    uploads: dict[str, Upload] = {}
    if kind == "multipart/form-data":
        payload: Any = None
        reader = await request.multipart()
        while True:
            part = await reader.next()
            if part is None:
                break
            if not isinstance(part, BodyPartReader):  # nested multipart: not used by Discord
                continue
            data = await part.read()
            if part.name == "payload_json":
                payload = json.loads(data)
            elif part.name:
                content_type = part.headers.get("Content-Type")
                uploads[part.name] = Upload(part.filename or part.name, bytes(data), content_type)
        return payload, uploads
    raw = await request.read()
    if not raw:
        return None, uploads
    try:
        return json.loads(raw), uploads
    except ValueError as exc:
        errors = Errors()
        errors.add((), "JSON_INVALID", f"The request body contains invalid JSON: {exc}")
        raise invalid_form(errors.tree) from exc


@web.middleware
async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Serve the REST API through the sandbox (other paths pass through untouched).

    It reads the sandbox's services from the app (``sandbox.app_keys``).
    """
    if not request.path.startswith(API + "/"):
        return await handler(request)
    recorder = request.app[CONTEXT].recorder
    recorder.in_flight += 1
    try:
        return await serve(request, handler)
    finally:
        recorder.in_flight -= 1
        recorder.last_delivery = asyncio.get_running_loop().time()
        request.app[CONTEXT].state.wake()


@dataclass
class Passage:
    """What a request collected on its way in: rate-limit headers, a fault to play."""

    headers: dict[str, str] = field(default_factory=dict)
    fault: Fault | None = None


def matched_route(request: web.Request) -> tuple[bool, str]:
    """Whether a route matched, and its template without ``/api/v10`` (``""`` if none)."""
    route_info = request.match_info.route.resource
    known = request.match_info.http_exception is None and route_info is not None
    route = route_info.canonical.removeprefix(API) if known and route_info else ""
    return known, route


def start_record(request: web.Request, route: str) -> RequestRecord:
    """Log the request in ``sb.requests`` (its answer is filled in later)."""
    ctx = request.app[CONTEXT]
    record = RequestRecord(
        method=request.method,
        route=route or "?",
        path=request.path.removeprefix(API),
        query=dict(request.query),
        body=None,
        time=ctx.state.clock.now(),
    )
    ctx.recorder.requests.append(record)
    ctx.recorder.stats.requests += 1
    return record


def check_route(request: web.Request, known: bool, route: str) -> None:
    """Refuse an unknown path (404), a wrong method (405) or a missing bot token (401)."""
    if not known:
        exc = request.match_info.http_exception
        if exc is not None and exc.status == 405:
            raise ApiError(405, 0, "405: Method Not Allowed")
        raise not_found()
    authorized = request.headers.get("Authorization") == f"Bot {request.app[CONTEXT].state.token}"
    if not authorized and not route.startswith(NO_AUTH_PREFIXES):
        raise unauthorized()


def take_fault(request: web.Request, route: str, passage: Passage) -> None:
    """Play a fault injected for this route: at once, or after handling (``passage.fault``)."""
    fault = request.app[FAULTS].take_fault(request.method, route)
    passage.fault = fault
    if fault is not None:
        request.app[CONTEXT].recorder.stats.faults_injected += 1
        if not fault.after_handling:
            raise fault.error()


async def read_body(request: web.Request, route: str, record: RequestRecord) -> None:
    """Parse the body into the request, then check it: the sandbox's rules, then the spec."""
    payload, uploads = await parse_body(request)
    record.body = payload
    record.files = [u.filename for u in uploads.values()]
    request[BODY], request[UPLOADS] = payload, uploads
    own = prevalidate(request.method, route, payload)
    if own:
        raise invalid_form(own.tree)
    for path, message in request.app[SPEC].check(request.method, route, payload):
        mismatch = ErrorRecord(
            request.method, record.path, 400, 50035, f"spec: {message}", path, payload
        )
        request.app[CONTEXT].recorder.spec_mismatches.append(mismatch)
        errors = Errors()
        errors.add(tuple(path), "SPEC_MISMATCH", message)
        raise invalid_form(errors.tree)


async def admit(
    request: web.Request, known: bool, route: str, record: RequestRecord, passage: Passage
) -> None:
    """Everything before the handler: route, auth, ban, fault, rate limits, body checks."""
    check_route(request, known, route)
    limiter = request.app[LIMITER]
    limiter.check_ban()
    take_fault(request, route, passage)
    passage.headers = limiter.check(request.method, route, dict(request.match_info))
    await read_body(request, route, record)


def refusal_response(
    request: web.Request, record: RequestRecord, error: ApiError, headers: dict[str, str]
) -> web.Response:
    """Discord's answer to a refused request (Cloudflare's page for a ban), recorded."""
    if error.headers.get("X-Cloudflare-Ban"):
        response = web.Response(
            text=error.message,
            status=429,
            content_type="text/html",
            headers={"Retry-After": error.headers["Retry-After"]},
        )
    else:
        response = json_response(error.body(), error.status, {**headers, **error.headers})
    ctx = request.app[CONTEXT]
    recorder = ctx.recorder
    if error.status == 429:
        recorder.stats.rate_limited += 1
        recorder.stats.global_rate_limited += int(error.is_global)
    if 400 <= error.status < 500:
        refusal = ErrorRecord(
            request.method,
            record.path,
            error.status,
            error.code,
            error.message,
            error.errors,
            record.body,
        )
        recorder.refuse(refusal, expected=error.expected or error.status == 429)
    record.code = error.code
    for listener in ctx.refusal_listeners:
        listener(request, error)
    return response


def crash_response(request: web.Request, record: RequestRecord, exc: Exception) -> web.Response:
    """Answer a sandbox bug: loud (an unexpected 400) but not so that discord.py retries."""
    log.exception("sandbox handler crashed on %s %s", request.method, request.path)
    crash = ApiError(400, 0, f"sandbox internal error: {exc!r}")
    response = json_response(crash.body(), 400)
    request.app[CONTEXT].recorder.refuse(
        ErrorRecord(request.method, record.path, 400, 0, crash.message, None, record.body),
        expected=False,
    )
    return response


async def serve(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Record, admit, handle and answer one REST request (after its latency, if any)."""
    known, route = matched_route(request)
    record = start_record(request, route)
    passage = Passage()
    try:
        await admit(request, known, route, record, passage)
        response = await handler(request)
        if passage.fault is not None and passage.fault.after_handling:
            raise passage.fault.error()  # done, but the answer is lost on the way back
    except ApiError as error:
        response = refusal_response(request, record, error, passage.headers)
    except Exception as exc:
        response = crash_response(request, record, exc)
    else:
        response.headers.update(passage.headers)
    record.status = response.status
    request.app[LIMITER].note_answer(response.status, response.headers.get("X-RateLimit-Scope"))
    latency = request.app[LATENCY]
    if latency is not None and latency.enabled:
        # The sandbox has acted (state changed, events sent); the answer travels back slowly.
        record.delay = latency.rest_delay(request.method, route or request.path)
        await asyncio.sleep(record.delay)
    record.delivered = True
    return response
