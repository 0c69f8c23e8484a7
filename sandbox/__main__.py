"""Run the sandbox standalone: ``python -m sandbox [--port 8765] [--token T]``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging

from sandbox.server import Sandbox


async def serve(port: int, rate_limits: bool, token: str | None) -> None:
    """Start a sandbox, print its URLs and token, and serve until interrupted."""
    async with Sandbox(port=port, rate_limits=rate_limits, token=token) as sandbox:
        print(f"REST     {sandbox.rest_url}")
        print(f"Gateway  {sandbox.gateway_url}")
        print(f"Token    {sandbox.token}")
        print(f"App id   {sandbox.application_id}")
        print("Point Route.BASE and DiscordWebSocket.DEFAULT_GATEWAY at these. Ctrl-C stops.")
        await asyncio.Event().wait()


def main() -> None:
    """Parse arguments and serve."""
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument(
        "--port", type=int, default=8765, help="port to listen on (0 = any free port)"
    )
    parser.add_argument("--no-rate-limits", action="store_true", help="switch rate limiting off")
    parser.add_argument("--token", help="bot token to accept (default: a random one, printed)")
    args = parser.parse_args()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.port, not args.no_rate_limits, args.token))


if __name__ == "__main__":
    main()
