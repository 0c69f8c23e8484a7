"""Every REST request passes here: log, auth, faults, rate limits, body parsing, spec, errors."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import BodyPartReader, web
from aiohttp.typedefs import Middleware

from sandbox.context import BODY, UPLOADS, Context
from sandbox.errors import ApiError, invalid_form, json_response, not_found, unauthorized
from sandbox.faults import Fault, Faults
from sandbox.latency import Latency
from sandbox.messages import Upload
from sandbox.ratelimit import RateLimiter
from sandbox.recorder import ErrorRecord, RequestRecord
from sandbox.spec import SpecChecker
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


def build_middleware(
    ctx: Context,
    faults: Faults,
    limiter: RateLimiter,
    spec: SpecChecker,
    latency: Latency | None = None,
) -> Middleware:
    """Return the aiohttp middleware of the REST API."""
    recorder = ctx.recorder

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(API + "/"):
            return await handler(request)
        route_info = request.match_info.route.resource
        known = request.match_info.http_exception is None and route_info is not None
        route = route_info.canonical.removeprefix(API) if known and route_info else ""
        record = RequestRecord(
            method=request.method,
            route=route or "?",
            path=request.path.removeprefix(API),
            query=dict(request.query),
            body=None,
            time=ctx.state.clock.now(),
        )
        recorder.requests.append(record)
        recorder.stats.requests += 1
        headers: dict[str, str] = {}
        fault: Fault | None = None
        try:
            if not known:
                exc = request.match_info.http_exception
                if exc is not None and exc.status == 405:
                    raise ApiError(405, 0, "405: Method Not Allowed")
                raise not_found()
            authorized = request.headers.get("Authorization") == f"Bot {ctx.state.token}"
            if not authorized and not route.startswith(NO_AUTH_PREFIXES):
                raise unauthorized()
            fault = faults.take_fault(request.method, route)
            if fault is not None:
                recorder.stats.faults_injected += 1
                if not fault.after_acting:
                    raise fault.error()
            headers = limiter.check(request.method, route, dict(request.match_info))
            payload, uploads = await parse_body(request)
            record.body = payload
            record.files = [u.filename for u in uploads.values()]
            request[BODY], request[UPLOADS] = payload, uploads
            own = prevalidate(request.method, route, payload)
            if own:
                raise invalid_form(own.tree)
            for path, message in spec.check(request.method, route, payload):
                mismatch = ErrorRecord(
                    request.method, record.path, 400, 50035, f"spec: {message}", path, payload
                )
                recorder.spec_mismatches.append(mismatch)
                errors = Errors()
                errors.add(tuple(path), "SPEC_MISMATCH", message)
                raise invalid_form(errors.tree)
            response = await handler(request)
            if fault is not None:  # it acted; only the answer fails
                raise fault.error()
        except ApiError as error:
            response = json_response(error.body(), error.status, {**headers, **error.headers})
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
        except Exception as exc:  # a sandbox bug: make it loud but do not make discord.py retry
            log.exception("sandbox handler crashed on %s %s", request.method, request.path)
            crash = ApiError(400, 0, f"sandbox internal error: {exc!r}")
            response = json_response(crash.body(), 400)
            recorder.refuse(
                ErrorRecord(request.method, record.path, 400, 0, crash.message, None, record.body),
                expected=False,
            )
        else:
            response.headers.update(headers)
        record.status = response.status
        if latency is not None and latency.enabled:
            # The sandbox has acted (state changed, events sent); the answer travels back slowly.
            record.delay = latency.rest_delay(request.method, route or request.path)
            await asyncio.sleep(record.delay)
        record.delivered = True
        ctx.state.wake()
        return response

    return middleware
