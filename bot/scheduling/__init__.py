"""Scheduling rules: reading a mentor's "when" text and weekly series of sessions."""
