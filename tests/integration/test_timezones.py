"""Time: the host's TZ never changes what the connector writes or saves,
including around daylight-saving changes, and event times before 1990 are
counted and logged as implausible."""

import calendar
import json
import re

import pytest

from conftest import sim_settings, stanza_file
from reliability import (data_end, event_lines, parse_events, read_state,
                         run, start_sim, summary, windows_done)

ZONES = ["UTC", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata",
         # POSIX rules and an odd fixed offset, in case the zone database
         # is bypassed.
         "EST5EDT,M3.2.0,M11.1.0", "XYZ-13:45"]


def ms(year, month, day, hour=0, minute=0, second=0, milli=0):
    return (calendar.timegm((year, month, day, hour, minute, second)) * 1000
            + milli)


# Instants where local clocks jump or repeat (UTC):
DST_EDGES = [
    ms(2024, 3, 10, 7),          # New York: 02:00 EST -> 03:00 EDT
    ms(2024, 11, 3, 6),          # New York: 02:00 EDT -> 01:00 EST
    ms(2024, 4, 6, 15),          # Lord Howe: 02:00 +11 -> 01:30 +10:30
    ms(2024, 10, 5, 15, 30),     # Lord Howe: 02:00 +10:30 -> 02:30 +11
]


def dst_items():
    items = []
    for edge in DST_EDGES:
        # Both sides of the edge, and the hour a local clock repeats: the
        # same local wall time at two different instants.
        for delta in (-3_600_001, -3_600_000, -1, 0, 1, 1_800_000,
                      3_599_999, 3_600_000):
            items.append(edge + delta)
    # A spread over the year so every window has something.
    items += [ms(2024, 1, 1) + k * 7 * 86_400_000 + k * 1_234 for k in
              range(50)]
    return [{"indicatorType": "IP", "value": f"198.51.100.{i % 250}"
             if i < 250 else f"10.{i // 65536}.{i // 256 % 256}.{i % 256}",
             "firstSeen": t - 86_400_000 * (i % 3), "lastSeen": t}
            for i, t in enumerate(sorted(set(items)))]


@pytest.fixture(scope="module")
def dst_sim(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("tz")
    data = workdir / "data.json"
    items = dst_items()
    data.write_text(json.dumps(items))
    sim = start_sim(workdir / "sim", "--data", data, env={"TZ": "UTC"})
    yield sim, items, workdir
    sim.stop()


def test_output_and_state_do_not_depend_on_tz(dst_sim):
    sim, items, workdir = dst_sim
    outputs = {}
    for zone in ZONES:
        # start written with an offset, to be read the same way in every
        # zone; windows of 17 days put edges at odd local times.
        config = stanza_file(workdir / f"c-{len(outputs)}.yaml", **sim_settings(
            sim, start="2023-12-31T19:00:00-05:00", window="17d"))
        state = workdir / f"state-{len(outputs)}"
        result = run(config, state, env={"TZ": zone})
        assert result.returncode == 0, (zone, result.stderr)
        lines, _ = event_lines(result.stdout)
        saved = read_state(state)
        outputs[zone] = (lines, windows_done(result.stderr)[:-1],
                         saved["next_from"] // 86_400_000,
                         summary(result.stderr)["events"])
    reference = outputs["UTC"]
    assert len(reference[0]) == len(items)
    assert reference[1], "no complete window to compare"
    for zone, got in outputs.items():
        assert got[0] == reference[0], f"{zone}: events differ"
        assert got[1:] == reference[1:], f"{zone}: windows or state differ"
    # And the times are the instants the API gave, in UTC.
    expected = sorted(i["lastSeen"] for i in items)
    written = sorted(e["last_seen"] for e in parse_events(reference[0]))
    assert written == [_iso(t) for t in expected]


def _iso(t):
    import time
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t // 1000)) + \
        f".{t % 1000:03d}Z"


def test_times_before_1990_are_counted_and_logged(tmp_path):
    old = [0, 1, 86_400_000 * 365, ms(1985, 6, 1), ms(1989, 12, 31, 23, 59,
                                                       59, 999)]
    fine = [ms(1990, 1, 1), ms(1990, 1, 1, 0, 0, 0, 1), ms(2001, 9, 9, 1, 46,
                                                          40)]
    items = [{"indicatorType": "SHA256", "value": f"{i:064x}",
              "firstSeen": t, "lastSeen": t}
             for i, t in enumerate(old + fine)]
    data = tmp_path / "data.json"
    data.write_text(json.dumps(items))
    sim = start_sim(tmp_path / "sim", "--data", data)
    try:
        config = stanza_file(tmp_path / "c.yaml", **sim_settings(
            sim, start="1970-01-01T00:00:00Z", window="365d",
            lag=f"{(data_end() - ms(2002, 1, 1)) // 1000}s"))
        result = run(config, tmp_path / "state")
    finally:
        sim.stop()
    assert result.returncode == 0, result.stderr
    events = parse_events(event_lines(result.stdout)[0])
    assert len(events) == len(items)  # written all the same
    warned = re.findall(r"^WARN event: implausible lastSeen .*last_seen=(\d+)",
                        result.stderr, re.M)
    assert sorted(int(w) for w in warned) == sorted(old)
    assert summary(result.stderr)["implausible_times"] == len(old)
