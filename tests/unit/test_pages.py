"""Paged answers build only the pages someone looks at."""

from __future__ import annotations

import discord
import pytest

from bot.ui import LazyPages, PagesView


def _pages(count: int, built: list[int]) -> LazyPages:
    def build(index: int) -> discord.Embed:
        built.append(index)
        return discord.Embed(title=f"page {index + 1}")

    return LazyPages(count, build)


async def test_a_pager_builds_the_page_it_shows_and_no_other() -> None:
    built: list[int] = []
    pages = _pages(15, built)
    view = PagesView(1, discord.Locale.british_english, pages)
    assert view.current.title == "page 1"
    assert built == [0]
    assert view.next.disabled is False
    assert view.current is pages[0]  # built once, then kept
    assert built == [0]
    assert pages[-1].title == "page 15"
    assert built == [0, 14]


def test_lazy_pages_behave_as_a_sequence() -> None:
    built: list[int] = []
    pages = _pages(3, built)
    assert len(pages) == 3
    assert [p.title for p in pages[1:]] == ["page 2", "page 3"]
    with pytest.raises(IndexError):
        pages[3]
