"""A conversation's turn times as exports write them, made seconds from the start of the call.

The labeling guide's form is seconds from the call's start: 4.1, or "00:04" / "1:02:03"
as a player shows a recording's position. Call platforms and ASR tools also write the
moment each turn was said: a date and time ("2026-11-21 09:15:06", ISO with an offset),
a Unix timestamp (1795194906, or in milliseconds), or a bare time of day ("09:15:06").
Read as seconds, those would put the first turn hours or decades into the call; a
conversation whose end went past midnight would even have turns ending before they start.

So a conversation's times are read together, because one value alone cannot tell
"01:02:03" an hour into the call from two minutes past one at night:

- date-times and Unix timestamps are moments; all of a conversation's times must then be
  moments (a mix of moments and offsets is an error, not a guess);
- h:mm:ss / mm:ss times are times of day when the first is an hour or more (no call's
  first turn comes an hour in) or at most an hour after the call's start time of day. A
  time more than 12 hours before the latest one so far is the next day (a call across
  midnight);
- moments and times of day count from the call's start (`started_at`) when that is at
  most an hour before the first turn, else from the first turn.

Only durations decide the talk share, so counting from the first turn changes no score:
it gives the 时间 a supervisor looks up in the recording.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from qa_audit import clock

LATEST_FIRST_TURN = 3600.0
"""Seconds: a call's first turn comes within its first hour."""

_HALF_DAY = 12 * 3600.0
_DAY = 24 * 3600.0
_CLOCK = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)")
_DATE_TIME = re.compile(
    r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:T|\s+)(\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?\s*(Z|[+-]\d{2}:?\d{2})?"
)
EPOCH_RANGE = (946684800, 4102444800)
"""2000-01-01 to 2100-01-01 UTC in Unix seconds: the timestamps read as moments (a call's start
or a turn's); a number of seconds from a call's start is never this large."""
_EPOCH = datetime(1970, 1, 1)


class TimeError(ValueError):
    """A turn time that cannot be read; `index` is its position in the values given."""

    def __init__(self, index: int, reason: str) -> None:
        super().__init__(reason)
        self.index = index
        self.reason = reason


@dataclass(frozen=True, slots=True)
class _Read:
    """One time as written: `seconds` counted from the call's start ("offset"), from
    midnight ("clock", which may still be an offset) or from 1970 on the centre's clock
    ("moment")."""

    seconds: float
    kind: str


def turn_times(values: Sequence[object], started_at: str | None) -> list[float | None]:
    """Seconds from the call's start for each of a conversation's turn times, given in the
    order they were said (start, end, next start, …); None stays None. `started_at` is the
    call's start as ingest made it (ISO), or None. See the module docstring.

    Raises TimeError naming the first value that cannot be read.
    """
    read: list[_Read | None] = []
    for index, value in enumerate(values):
        if value is None or value == "":
            read.append(None)
            continue
        try:
            read.append(_read(value))
        except ValueError:
            shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:40] + "…"
            raise TimeError(index, f"{shown} is not a time (seconds, mm:ss or a date and time)") from None
    given = [(i, r) for i, r in enumerate(read) if r is not None]
    kinds = {r.kind for _, r in given}
    if "moment" in kinds and len(kinds) > 1:
        index = next(i for i, r in given if r.kind != "moment")
        raise TimeError(index, f"{values[index]!r} is counted from the call's start, but other turn times "
                               "of this conversation are dates and times")
    if kinds == {"moment"}:
        start = _started_moment(started_at)
    elif kinds == {"clock"}:
        start = _started_time_of_day(started_at)
        said_first = given[0][1].seconds
        if said_first < LATEST_FIRST_TURN and not _shortly_after(said_first, start):
            return [None if r is None else r.seconds for r in read]
        read = _across_midnight(read)
        if start is not None and start > next(r.seconds for r in read if r is not None):
            start -= _DAY  # the call started before midnight, its first turn after
    else:
        return [None if r is None else r.seconds for r in read]
    first = min(r.seconds for r in read if r is not None)
    base = start if start is not None and _shortly_after(first, start) else first
    return [None if r is None else r.seconds - base for r in read]


def first_moment(values: Sequence[object]) -> str | None:
    """The earliest of a conversation's turn times when they are dates and times (or Unix
    timestamps), as an ISO date-time on the centre's clock; None for any other times.
    A chat export dates each message and not the conversation: this is when it began."""
    moments = []
    for value in values:
        if value is None or value == "":
            continue
        try:
            read = _read(value)
        except ValueError:
            return None
        if read.kind != "moment":
            return None
        moments.append(read.seconds)
    return (_EPOCH + timedelta(seconds=min(moments))).isoformat(timespec="seconds") if moments else None


def _shortly_after(first: float, start: float | None) -> bool:
    """Whether a first turn at `first` can belong to a call that started at `start` (for
    times of day, also across midnight: 00:00:10 after 23:59:00)."""
    return start is not None and (0 <= first - start <= LATEST_FIRST_TURN
                                  or 0 <= first - start + _DAY <= LATEST_FIRST_TURN)


def _read(value: object) -> _Read:
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        try:
            return _number(float(value))
        except OverflowError:  # an integer of 400 digits
            raise ValueError(value) from None
    if not isinstance(value, str):
        raise ValueError(value)
    text = value.strip()
    if clock_time := _CLOCK.fullmatch(text):
        hours, minutes, secs = clock_time.groups()
        return _Read(int(hours or 0) * 3600 + int(minutes) * 60 + float(secs), "clock")
    if date_time := _DATE_TIME.fullmatch(text):
        return _Read(_moment(date_time), "moment")
    return _number(float(text))


def _number(number: float) -> _Read:
    if not math.isfinite(number) or number < 0:
        raise ValueError(number)
    if EPOCH_RANGE[0] * 1000 <= number < EPOCH_RANGE[1] * 1000:
        number /= 1000  # Unix milliseconds
    elif number >= EPOCH_RANGE[1]:
        raise ValueError(number)  # no call lasts past 2100, nor is one dated then
    if EPOCH_RANGE[0] <= number:
        return _Read(number + clock.OFFSET.total_seconds(), "moment")  # UTC, on the centre's clock
    return _Read(number, "offset")


def _moment(match: re.Match[str]) -> float:
    """Seconds from 1970 on the centre's clock of a date and time matched by `_DATE_TIME`
    (with Z or an offset it is converted; without one it is the centre's clock already)."""
    year, month, day, hour, minute, second, zone = match.groups()
    moment = datetime(int(year), int(month), int(day), int(hour), int(minute))
    moment += timedelta(seconds=float(second or 0))
    if zone:
        offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[-2:])) if zone != "Z" else timedelta(0)
        moment += clock.OFFSET - (offset if zone[0] != "-" else -offset)
    return (moment - _EPOCH).total_seconds()


def _across_midnight(read: list[_Read | None]) -> list[_Read | None]:
    """Times of day with a day added from the first that falls more than 12 hours before
    the latest one so far."""
    latest, days = -math.inf, 0.0
    out: list[_Read | None] = []
    for r in read:
        if r is None:
            out.append(None)
            continue
        if r.seconds + days < latest - _HALF_DAY:
            days += _DAY
        out.append(_Read(r.seconds + days, r.kind))
        latest = max(latest, r.seconds + days)
    return out


def _started_moment(started_at: str | None) -> float | None:
    """The call's start as seconds from 1970 on the centre's clock, or None without a time."""
    moment = _started_at(started_at)
    return None if moment is None else (moment - _EPOCH).total_seconds()


def _started_time_of_day(started_at: str | None) -> float | None:
    """The call's start as seconds from midnight on the centre's clock, or None without a time."""
    moment = _started_at(started_at)
    return None if moment is None else moment.hour * 3600.0 + moment.minute * 60 + moment.second


def _started_at(started_at: str | None) -> datetime | None:
    moment = clock.centre_time(started_at)
    if moment is None or not started_at or "T" not in started_at:
        return None
    return moment.replace(tzinfo=None)
