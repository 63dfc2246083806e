"""The call centre's clock: China Standard Time (UTC+8), the clock every report shows and dates by.

Exports write a call's start in whatever zone their system keeps: a vendor's
2026-11-20T23:30:00Z is 07:30 on 2026-11-21 for the centre, and a supervisor looks for
it on the 21st, not 8 hours earlier on the night before. So a timestamp that carries an
offset (or Z) is converted to UTC+8; one without an offset was written on the centre's
own clock and is kept as written. Mainland China has one time zone and no daylight
saving time (Hong Kong and Taiwan keep the same clock), so a fixed offset is exact and
needs no time-zone database.

The machine-readable outputs (calls.jsonl, findings.jsonl, the rows in the history
database) keep `started_at` in the export's own zone, as ingest read it: converting is
for what a person reads (workbooks, messages) and for filing a call under a day.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

OFFSET = timedelta(hours=8)
BEIJING = timezone(OFFSET)
"""China Standard Time, 北京时间."""


def centre_time(started_at: object) -> datetime | None:
    """`started_at` on the centre's clock, or None when it is not an ISO date and time.

    With an offset or Z: the same moment in UTC+8 (an aware datetime at +08:00). Without
    one: as written (naive), since exports without an offset write the centre's clock.
    """
    written = _as_written(started_at)
    if written is None or written.tzinfo is None:
        return written
    return written.astimezone(BEIJING)


def centre_key(started_at: str | None) -> str:
    """`started_at` as text on the centre's clock, or '' without one: what the history
    database sorts and selects a period by, so it starts with the call's day there.

    A converted timestamp keeps its offset (now +08:00), so the key still names the
    moment. One already at +08:00, one without an offset and text that is no date and
    time stay exactly as written: for the centre's own exports the key is `started_at`.
    """
    written = _as_written(started_at)
    if written is None or written.utcoffset() in (None, OFFSET):
        return started_at or ""
    return written.astimezone(BEIJING).isoformat()


def centre_day(started_at: object) -> str | None:
    """The day (YYYY-MM-DD) the call started on, on the centre's clock, or None."""
    moment = centre_time(started_at)
    return None if moment is None else moment.date().isoformat()


def _as_written(started_at: object) -> datetime | None:
    """The ISO date and time in `started_at`, in the zone it was written in, or None."""
    if not isinstance(started_at, str) or not started_at:
        return None
    # Python 3.10's fromisoformat does not read Z.
    text = started_at[:-1] + "+00:00" if started_at.endswith(("Z", "z")) else started_at
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None
