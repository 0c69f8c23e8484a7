"""Reminders: planning them with sessions, and one dispatcher that delivers them."""
