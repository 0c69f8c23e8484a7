"""Texts fit Discord's limits: whole lines, every cut marked, never half a mention."""

from __future__ import annotations

from bot.textfit import clip, fit_lines


def test_lines_that_fit_are_joined_unchanged() -> None:
    assert fit_lines(["a", "b", "c"], 5) == "a\nb\nc"


def test_lines_left_out_end_with_an_ellipsis_line_within_the_limit() -> None:
    lines = [f"line {n}" for n in range(10)]
    text = fit_lines(lines, 20)
    assert text == "line 0\nline 1\n…"
    assert len(text) <= 20


def test_the_last_line_can_say_how_many_were_left_out() -> None:
    lines = ["x" * 10] * 5
    text = fit_lines(lines, 30, lambda count: f"+{count} more")
    assert text == "x" * 10 + "\n" + "x" * 10 + "\n+3 more"


def test_a_first_line_too_long_alone_is_clipped_and_still_followed_by_the_count() -> None:
    text = fit_lines(["y" * 50, "z"], 20, lambda count: f"+{count}")
    assert text == "y" * 16 + "…\n+1"
    assert len(text) <= 20
    assert fit_lines(["y" * 50], 10) == "y" * 9 + "…"


def test_a_cut_never_falls_inside_a_mention_or_a_timestamp() -> None:
    assert clip("see <@123456789012345678> now", 12) == "see…"
    assert clip("due <t:1700000000:R> then", 10) == "due…"
    assert clip("plain words here", 10) == "plain wor…"
    assert clip("hi <@1> and more", 8) == "hi <@1>…"
    assert fit_lines(["<@123456789012345678> " * 3], 30) == "<@123456789012345678>…"
