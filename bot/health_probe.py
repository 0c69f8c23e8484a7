"""`mentor-coach health`: ask a running bot's health endpoint (the container's HEALTHCHECK).

Kept apart from bot/health.py so that the check, run every 30 seconds, imports only aiohttp.
"""

from __future__ import annotations

import aiohttp

CHECK_TIMEOUT = 5.0


def probe_url(host: str, port: int) -> str:
    """Build the `/health` URL to ask from the same machine (a wildcard host means localhost)."""
    local = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
    if ":" in local:
        local = f"[{local}]"
    return f"http://{local}:{port}/health"


async def probe(host: str, port: int) -> tuple[bool, str]:
    """Ask a running bot's `/health`; return (healthy, one line saying why)."""
    url = probe_url(host, port)
    timeout = aiohttp.ClientTimeout(total=CHECK_TIMEOUT)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as http, http.get(url) as response:
            report = await response.json()
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        return False, f"unhealthy: no answer from {url} ({error or type(error).__name__})"
    if response.status == 200:
        latency = report.get("gateway_latency_ms")
        return True, (
            f"healthy: gateway connected (latency {latency if latency is not None else '?'} ms), "
            f"database writable, dispatcher lag {report.get('dispatcher_lag_seconds')} s, "
            f"{report.get('reminders_failed_24h')} reminder(s) failed in 24 h"
        )
    return False, "unhealthy: " + "; ".join(report.get("problems") or ["unknown"])
