"""A local Discord emulator (REST + gateway) and a test driver for the Mentor Coach bot."""

from sandbox.clock import Clock, FakeClock, RealClock
from sandbox.config import SandboxConfig
from sandbox.driver import Persona
from sandbox.server import ChannelView, Sandbox
from sandbox.views import MessageView, Reply

__all__ = [
    "ChannelView",
    "Clock",
    "FakeClock",
    "MessageView",
    "Persona",
    "RealClock",
    "Reply",
    "Sandbox",
    "SandboxConfig",
]
