"""The bot's pacer never lets Discord count more than 50 requests in a second.

Discord counts a request when it arrives, up to `LAG` after the pacer let it go: the slots
must leave room for that, whatever stalls the sender had.
"""

from __future__ import annotations

import random
from bisect import bisect_right

import pytest

from bot.pacing import DEFAULT_RATE, GLOBAL_LIMIT, LAG, LEFT_LATE, Pacer, counts_globally


def most_in_one_second(times: list[float]) -> int:
    """Return the most times within one of Discord's windows, (t - 1 s, t]."""
    ordered = sorted(times)
    return max(index + 1 - bisect_right(ordered, t - 1.0) for index, t in enumerate(ordered))


def slots_of_a_sender(pacer: Pacer, count: int, stalls: list[float]) -> list[float]:
    """Return the slots a single sender gets, asking again `stalls[i]` after its i-th slot."""
    now = 0.0
    slots = []
    for index in range(count):
        start = pacer.reserve(now)
        slots.append(start)
        now = start + stalls[index % len(stalls)]
    return slots


def test_even_slots_hold_the_rate() -> None:
    slots = slots_of_a_sender(Pacer(), 2_000, [0.0])
    rate = (len(slots) - 1) / (slots[-1] - slots[0])
    assert rate == pytest.approx(DEFAULT_RATE, rel=1e-6)


@pytest.mark.parametrize("seed", range(20))
def test_requests_counted_up_to_lag_late_never_make_51_in_a_second(seed: int) -> None:
    rng = random.Random(seed)
    # a sender that stalls at times (a chunk read, a slow turn), for a few slots to a second
    stalls = [rng.choice([0.0] * 40 + [0.01, 0.025, 0.03, 0.05, 0.1, 0.4]) for _ in range(500)]
    slots = slots_of_a_sender(Pacer(), 3_000, stalls)
    for lag_seed in range(5):
        lags = random.Random(lag_seed)
        arrivals = [t + lags.uniform(0.0, LAG) for t in slots]
        assert most_in_one_second(arrivals) <= GLOBAL_LIMIT
    # and the worst case: every request late by LAG but the ones whose lateness hurts most
    assert most_in_one_second([t + LAG * (i % 2) for i, t in enumerate(slots)]) <= GLOBAL_LIMIT


def slots_through_pauses(pacer: Pacer, count: int, seed: int) -> list[float]:
    """Return when Discord counts each request of a sender whose loop pauses at times.

    During a pause (a garbage collection: 30-120 ms, every 0.3-3 s) nothing runs: a slot that
    falls in it goes at its end, as do the requests let go just before it (still on their
    way, a few milliseconds); a stall of the sender's own (0-80 ms) delays its next request.
    """
    rng = random.Random(seed)
    pauses: list[tuple[float, float]] = []
    at = 0.3
    while len(pauses) < 200:
        length = rng.uniform(0.03, 0.12)
        pauses.append((at, at + length))
        at += length + rng.uniform(0.3, 3.0)

    def after_pauses(t: float) -> float:
        return next((end for begin, end in pauses if begin <= t < end), t)

    now = 0.0
    arrivals = []
    for _ in range(count):
        start = pacer.reserve(now)
        if start > now:
            woke = after_pauses(start)
            pacer.woke(start, woke)
        else:
            woke = now
        arrivals.append(after_pauses(woke + rng.uniform(0.0, 0.008)))
        now = after_pauses(woke + rng.choice([0.0] * 30 + [0.01, 0.03, 0.05, 0.08]))
    return arrivals


@pytest.mark.parametrize("seed", range(30))
def test_requests_held_up_by_a_pause_never_make_51_in_a_second(seed: int) -> None:
    arrivals = slots_through_pauses(Pacer(), 3_000, seed)
    assert most_in_one_second(arrivals) <= GLOBAL_LIMIT


def test_after_a_stall_missed_slots_are_caught_up_within_the_limit() -> None:
    pacer = Pacer()
    slots = slots_of_a_sender(pacer, 100, [0.0])
    after_stall = slots[-1] + 0.5
    caught_up = [pacer.reserve(after_stall) for _ in range(3)]
    # two missed slots go at once, the third waits for its turn
    assert caught_up[:2] == [after_stall, after_stall]
    assert caught_up[2] > after_stall


def test_several_callers_share_the_slots_in_call_order() -> None:
    pacer = Pacer()
    starts = [pacer.reserve(0.0) for _ in range(200)]  # 200 tasks asking at once
    assert starts == sorted(starts)
    assert most_in_one_second([t + LAG for t in starts[::2]] + starts[1::2]) <= GLOBAL_LIMIT


def test_a_rate_that_cannot_fit_the_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        Pacer(49)


@pytest.mark.parametrize(
    ("path", "counted"),
    [
        ("/channels/1/messages", True),
        ("/users/@me/channels", True),
        ("/channels/1/messages?limit=50", True),
        ("/applications/2/commands", True),
        ("/webhooks/3", True),  # a webhook read with the bot's token
        ("/interactions/4/tok/callback?with_response=1", False),
        ("/webhooks/2/tok?wait=1", False),  # a followup
        ("/webhooks/2/tok/messages/@original", False),
    ],
)
def test_interaction_endpoints_are_not_counted_against_the_global_limit(
    path: str, counted: bool
) -> None:
    assert counts_globally(path) is counted


def arrivals_of_a_burst(
    pacer: Pacer, count: int, seed: int, *, tell_departures: bool
) -> list[float]:
    """Return when Discord counts each request of a burst sent 16 at a time.

    Each request takes its slot when one of the 16 sends in flight is answered (150 ms after
    it left). The first 16 open new connections and leave 20-45 ms after their slots, the
    others within 8 ms; each reaches Discord's counter up to `LAG` after it left.
    """
    rng = random.Random(seed)
    pending = [(0.0, index) for index in range(16)]  # (asks for a slot at, request)
    departures: list[tuple[float, float]] = []  # (left at, counted from), in time order
    arrivals = []
    for index in range(count):
        asks, _ = min(pending)
        pending.remove(min(pending))
        while departures and departures[0][0] <= asks:  # what the trace noted by then
            left, counted = departures.pop(0)
            if tell_departures:
                pacer.sent(counted, left)
        counted = pacer.reserve(asks)
        left = counted + (rng.uniform(0.02, 0.045) if index < 16 else rng.uniform(0.0, 0.008))
        departures = sorted([*departures, (left, counted)])
        arrivals.append(left + rng.uniform(0.0, LAG))
        pending.append((left + 0.15, index + 16))
    return arrivals


@pytest.mark.parametrize("seed", range(20))
def test_requests_that_leave_late_are_counted_from_when_they_left(seed: int) -> None:
    arrivals = arrivals_of_a_burst(Pacer(), 500, seed, tell_departures=True)
    assert most_in_one_second(arrivals) <= GLOBAL_LIMIT


def test_counted_from_their_slots_late_departures_make_51_in_a_second() -> None:
    over = [
        seed
        for seed in range(20)
        if most_in_one_second(arrivals_of_a_burst(Pacer(), 500, seed, tell_departures=False))
        > GLOBAL_LIMIT
    ]
    assert over  # what the rule above is for: without it some bursts meet a 429


def test_only_a_request_leaving_late_moves_its_slot() -> None:
    on_time, late = Pacer(), Pacer()
    for pacer, left in ((on_time, LEFT_LATE), (late, 0.03)):
        slots = [pacer.reserve(0.0) for _ in range(50)]
        pacer.sent(slots[0], slots[0] + left)
    assert on_time.reserve(0.0) == pytest.approx(50 / DEFAULT_RATE)  # the rate's own slot
    # counted from 0.03, the first is no longer the oldest of the 50 latest: the second is
    assert late.reserve(0.0) == pytest.approx(1 / DEFAULT_RATE + 1.0 + LAG)
