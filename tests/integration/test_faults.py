"""Fault injection: the real connector against trustar-sim with each fault
kind on its own, all of them mixed at random (seeded), and the stops that
must end a run cleanly. Each faulty pull is compared with a fault-free pull
of the same data.

"Identical" means byte-identical event lines, in any order, with no line
twice. Two fault kinds damage one item of an otherwise good page, and
there the expectation is exact but different (see assert_damage_only):
  * wrongshape: an item the connector can still read (times sent as
    strings) gives the same event; any other damaged item is a counted,
    logged skip, and the indicator is missing from the output unless the
    pager reads it again undamaged at its keyset boundary.
  * badutf8: the damaged item's event differs from the fault-free one only
    in its value (indicator and the ES field carrying it), which is the
    good value followed by U+FFFD replacements, and in event_id (a hash of
    the value); the run summary counts the replacements.
"""

import collections
import json
import re
import time

import pytest

from conftest import DAY_MS, iso, sim_settings, stanza_file
from reliability import (assert_level_lines, data_end, event_lines,
                         parse_events, read_state, run, start_sim, summary,
                         windows_done)

ALL_KINDS = ["429", "expire", "500", "503", "reset", "truncate", "malformed",
             "slow", "empty-more", "badutf8", "wrongshape"]
# What issue 3's "Done when" lists: faults of the exchange, not of items.
EXCHANGE_KINDS = ["429", "expire", "500", "503", "reset", "truncate",
                  "malformed", "slow", "empty-more"]

# Wrong-shape variants the connector cannot use (the others it reads).
UNUSABLE_SHAPES = {"no-guid-null-value", "numeric-type-null-first-seen",
                   "no-last-seen", "numeric-value-fractional-last-seen"}
# What each badutf8 variant leaves after the good value, once the output
# replaced what is not UTF-8: raw C3 28 FF ED A0 80, or a lone \ud800.
DAMAGE_SUFFIXES = {"raw-bytes": "\ufffd(\ufffd\ufffd\ufffd\ufffd",
                   "lone-surrogate": "\ufffd"}
VALUE_FIELDS = {"indicator", "ip", "url", "domain", "file_hash", "file_name",
                "src_user", "registry_path"}

# Small waits and a short timeout keep the suite fast: a "slow" answer
# takes 1.5 s, past the 1 s timeout.
FAST = ["--wait-ms", 30, "--slow-ms", 1500]
TIMEOUT = "1s"


class Dataset:
    """One generated dataset and the stanza settings that pull all of it."""

    def __init__(self, seed, count, days, clusters=2, cluster_size=1500,
                 window="1d", page_size=1000):
        self.end = data_end()
        self.start = self.end - days * DAY_MS
        self.args = ["--seed", seed, "--count", count, "--end", self.end,
                     "--span", f"{days}d", "--clusters", clusters,
                     "--cluster-size", cluster_size]
        self.window = window
        self.page_size = page_size
        self.count = count

    def pull(self, workdir, *sim_args, retries=8, extra=None, env=None,
             version="1.3"):
        """Starts a sim with this data plus `sim_args`, pulls everything
        once, stops the sim; returns (completed run, sim)."""
        sim = start_sim(workdir / "sim", *(self.args + list(sim_args)))
        try:
            settings = sim_settings(sim, version=version,
                                    start=iso(self.start),
                                    window=self.window,
                                    page_size=str(self.page_size),
                                    timeout=TIMEOUT, retries=str(retries))
            settings.update(extra or {})
            config = stanza_file(workdir / "c.yaml", **settings)
            started = time.monotonic()
            result = run(config, workdir / "state", env=env)
            result.wall = time.monotonic() - started
        finally:
            sim.stop()
        return result, sim


@pytest.fixture(scope="module")
def small():
    return Dataset(seed=31, count=20000, days=4)


@pytest.fixture(scope="module")
def small_baseline(small, tmp_path_factory):
    result, _ = small.pull(tmp_path_factory.mktemp("baseline"))
    assert result.returncode == 0, result.stderr
    lines, _ = event_lines(result.stdout)
    assert len(lines) == len(set(lines)) == small.count
    return lines


def faults_of(sim):
    """The injected faults, as request-log entries."""
    return [r for r in sim.requests() if r.get("fault")]


def assert_identical(lines, baseline):
    assert len(lines) == len(set(lines)), "an event line was written twice"
    missing = set(baseline) - set(lines)
    extra = set(lines) - set(baseline)
    assert not missing and not extra, (
        f"{len(missing)} missing, {len(extra)} unexpected; e.g. "
        f"{sorted(missing)[:1]} {sorted(extra)[:1]}")


def assert_damage_only(lines, baseline, sim, result):
    """The exact expectation for badutf8/wrongshape faults (see above)."""
    damaged = collections.defaultdict(set)
    for entry in faults_of(sim):
        if entry["fault"] in ("badutf8", "wrongshape"):
            damaged[entry["fault_guid"]].add(
                (entry["fault"], entry["fault_detail"]))
    base = {json.loads(line)["guid"]: line for line in baseline}
    got = {}
    for line, event in zip(lines, parse_events(lines)):
        assert event["guid"] not in got, f"{event['guid']} written twice"
        got[event["guid"]] = (line, event)
    assert set(got) <= set(base), "an event the fault-free pull lacks"

    for guid in set(base) - set(got):
        kinds = damaged.get(guid, set())
        assert any(k == "wrongshape" and d in UNUSABLE_SHAPES
                   for k, d in kinds), f"{guid} lost without a damaged copy"
    for guid, (line, event) in got.items():
        if line == base[guid]:
            continue
        kinds = {d for k, d in damaged.get(guid, set()) if k == "badutf8"}
        assert kinds, f"{guid}: event differs but was not damaged"
        good = json.loads(base[guid])
        suffixes = {DAMAGE_SUFFIXES[d] for d in kinds}
        for key in set(good) | set(event):
            if key in VALUE_FIELDS and key in good:
                assert key in event, f"{guid}: {key} missing"
                suffix = event[key][len(good[key]):]
                assert event[key].startswith(good[key]) and \
                    suffix in suffixes, f"{guid}: {key}={event[key]!r}"
            elif key == "event_id":
                assert event[key] != good[key]
            else:
                assert event.get(key) == good.get(key), f"{guid}: {key}"

    # Every unusable item was counted and logged as a skip, once per
    # damaged response.
    unusable = sum(1 for e in faults_of(sim) if e["fault"] == "wrongshape"
                   and e["fault_detail"] in UNUSABLE_SHAPES)
    assert summary(result.stderr)["skipped"] == unusable
    assert len(re.findall(r"^WARN pager: skipped an item: ", result.stderr,
                          re.M)) == unusable
    raw = sum(1 for e in faults_of(sim) if e["fault"] == "badutf8"
              and e["fault_detail"] == "raw-bytes")
    assert (summary(result.stderr)["replaced_utf8"] > 0) == (raw > 0)


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_one_fault_kind_gives_the_fault_free_output(kind, small,
                                                    small_baseline, tmp_path):
    # Lower rates where a run of faults ends the run by design: three
    # empty "more" pages in a row stop it, and slow answers cost seconds.
    rate = {"slow": "0.15", "empty-more": "0.15"}.get(kind, "0.25")
    seed = {"empty-more": 1}.get(kind, 7)
    result, sim = small.pull(tmp_path, "--faults", kind, "--fault-rate", rate,
                             "--fault-seed", seed, *FAST)
    assert result.returncode == 0, result.stderr[-3000:]
    assert_level_lines(result.stderr)
    injected = faults_of(sim)
    assert len(injected) >= 2, f"too few {kind} faults to mean anything"
    assert {e["fault"] for e in injected} == {kind}
    lines, _ = event_lines(result.stdout)
    if kind in ("badutf8", "wrongshape"):
        assert_damage_only(lines, small_baseline, sim, result)
    else:
        assert_identical(lines, small_baseline)
    parse_events(lines)
    stats = summary(result.stderr)
    if kind == "429":
        assert stats["rate_limited"] == len(injected)
    elif kind == "reset":
        # libcurl itself resends a request once when a reused connection
        # turns out dead before any answer; only the rest are retries.
        assert 1 <= stats["retries"] <= len(injected)
    elif kind in ("500", "503", "truncate", "malformed", "slow"):
        assert stats["retries"] == len(injected)
    elif kind == "expire":
        tokens = [r for r in sim.requests() if r["path"] == "/oauth/token"]
        assert len(tokens) == 1 + len(injected)


def test_all_kinds_mixed_at_random(small, small_baseline, tmp_path):
    # Pages of 250 make about 90 requests: enough for a mix at 10%.
    result, sim = small.pull(tmp_path, "--fault-rate", "0.1",
                             "--fault-seed", 2024, *FAST,
                             extra={"page_size": "250"})
    assert result.returncode == 0, result.stderr[-3000:]
    injected = collections.Counter(e["fault"] for e in faults_of(sim))
    assert len(injected) >= 5, injected
    lines, _ = event_lines(result.stdout)
    assert_damage_only(lines, small_baseline, sim, result)


def test_all_kinds_mixed_in_api_1_2_seconds_mode(small, small_baseline,
                                                 tmp_path):
    """The same data through /api/1.2 (bounds in whole seconds, windows
    aligned to them) under the same mix: same events."""
    result, sim = small.pull(tmp_path, "--fault-rate", "0.1",
                             "--fault-seed", 12, *FAST, version="1.2",
                             extra={"page_size": "250"})
    assert result.returncode == 0, result.stderr[-3000:]
    assert all(r["path"].startswith("/api/1.2/") for r in sim.searches())
    assert len(faults_of(sim)) >= 5
    lines, _ = event_lines(result.stdout)
    assert_damage_only(lines, small_baseline, sim, result)


def test_hundred_thousand_indicators_under_ten_percent_faults(
        tmp_path_factory):
    """Issue 3, "Done when": about 100,000 indicators under a 10% mix of
    429s, expired tokens, 500/503, resets, truncated and malformed bodies,
    slow answers past `timeout` (and empty "more" pages), with output
    identical to a fault-free pull."""
    # Pages of 500 make about 230 requests, so that at 10% every kind of
    # fault is met (the seed is chosen for that, and checked below).
    data = Dataset(seed=100, count=100000, days=20, clusters=4,
                   cluster_size=2500, window="2d", page_size=500)
    clean, _ = data.pull(tmp_path_factory.mktemp("clean100k"))
    assert clean.returncode == 0, clean.stderr
    baseline, _ = event_lines(clean.stdout)
    assert len(set(baseline)) == len(baseline) == 100000

    faulty, sim = data.pull(tmp_path_factory.mktemp("faulty100k"),
                            "--faults", ",".join(EXCHANGE_KINDS),
                            "--fault-rate", "0.1", "--fault-seed", 4, *FAST)
    assert faulty.returncode == 0, faulty.stderr[-3000:]
    lines, _ = event_lines(faulty.stdout)
    assert_identical(lines, baseline)
    injected = collections.Counter(e["fault"] for e in faults_of(sim))
    assert set(injected) == set(EXCHANGE_KINDS), injected
    print(f"\n100k: clean {clean.wall:.1f} s, faulty {faulty.wall:.1f} s, "
          f"faults {dict(injected)}, summary {summary(faulty.stderr)}")


# --- Stops that must end a run cleanly -------------------------------------

def _stop_after_some_windows(small, tmp_path, *sim_args, retries=8,
                             extra=None):
    """A pull whose faults start after 12 API requests (a few windows in)."""
    result, sim = small.pull(tmp_path, "--fault-after", 12, *sim_args,
                             retries=retries, extra=extra)
    assert result.returncode == 1, result.stderr[-2000:]
    assert_level_lines(result.stderr)
    done = windows_done(result.stderr)
    assert done, "no window completed before the faults began"
    state = read_state(tmp_path / "state")
    # The checkpoint stays at the last complete window (a saved position
    # inside the next window, if any, resumes within that window).
    assert state["next_from"] == done[-1][1] + 1
    lines, _ = event_lines(result.stdout)
    # Everything up to the checkpoint was written.
    return result, sim, state, lines


def test_rate_limit_longer_than_max_wait_stops_with_progress_kept(
        small, small_baseline, tmp_path):
    result, sim, state, lines = _stop_after_some_windows(
        small, tmp_path, "--faults", "429", "--fault-rate", "1",
        "--wait-ms", 5000, extra={"max_wait": "1s"})
    errors = [l for l in result.stderr.split("\n") if l.startswith("ERROR")]
    assert len(errors) == 1
    assert "rate limited: the server asks to wait 5000 ms, more than " \
           "max_wait (1000 ms)" in errors[0]
    # Exactly one 429 was met: the run did not wait and retry.
    assert sum(1 for r in sim.requests() if r["status"] == 429) == 1
    _assert_prefix_complete(lines, small_baseline, state)


def test_retry_after_longer_than_max_wait_stops_too(small, tmp_path):
    result, sim = small.pull(tmp_path, "--faults", "429", "--fault-rate", "1",
                             "--wait-ms", 10, "--retry-after", "seconds",
                             extra={"max_wait": "800ms"})
    assert result.returncode == 1
    assert "asks to wait 1000 ms, more than max_wait (800 ms)" in \
        result.stderr


@pytest.mark.parametrize("form", ["seconds", "date"])
def test_rate_limit_waits_as_long_as_asked(form, small, tmp_path):
    """429s whose Retry-After (1 s rounded up from 10 ms, or an HTTP date
    up to a second ahead) exceeds waitTime: the run waits the larger, each
    time, and completes."""
    result, sim = small.pull(tmp_path, "--faults", "429", "--fault-rate",
                             "0.05", "--fault-seed", 11, "--wait-ms", 10,
                             "--retry-after", form)
    assert result.returncode == 0, result.stderr
    waits = [int(w) for w in re.findall(
        r"rate limited; waiting as asked wait_ms=(\d+)", result.stderr)]
    limited = [r for r in sim.requests() if r["status"] == 429]
    assert limited and len(waits) == len(limited)
    if form == "seconds":
        assert all(w == 1000 for w in waits)
    else:
        assert all(10 <= w <= 2000 for w in waits), waits
        # The date, not waitTime, set the wait (it lies up to a second
        # ahead, so it is longer than 10 ms nearly every time).
        assert any(w > 10 for w in waits), waits
    # The request after each 429 came no sooner than it was asked to.
    requests = sim.requests()
    for wait, i in zip(waits, [i for i, r in enumerate(requests[:-1])
                               if r["status"] == 429]):
        assert requests[i + 1]["ts"] - requests[i]["ts"] >= wait - 10


def _assert_prefix_complete(lines, baseline, state):
    """Every fault-free event before the checkpoint was written."""
    from reliability import ms_of
    before = {line for line in baseline
              if ms_of(json.loads(line)["last_seen"]) < state["next_from"]}
    assert before <= set(lines)
    assert len(lines) == len(set(lines))


@pytest.mark.parametrize("kind,status", [("500", 500), ("503", 503),
                                         ("reset", 0), ("malformed", 200)])
def test_retries_exhausted_names_the_request_and_keeps_progress(
        kind, status, small, small_baseline, tmp_path):
    result, sim, state, lines = _stop_after_some_windows(
        small, tmp_path, "--faults", kind, "--fault-rate", "1", retries=2)
    errors = [l for l in result.stderr.split("\n") if l.startswith("ERROR")]
    assert len(errors) == 1, errors
    error = errors[0]
    assert "giving up after 3 attempts" in error
    assert "POST /api/1.3/indicators/search" in error
    faulted = [r for r in sim.requests() if r.get("fault")]
    # The request and its two retries (libcurl resends once by itself
    # when a kept-alive connection was reset before any answer).
    assert len(faulted) == 3 or (kind == "reset" and len(faulted) == 4)
    if status:
        assert f"status {status}" in error or "not valid JSON" in error
        assert f"Trace-Id={faulted[-1]['trace_id']}" in error
    else:
        assert "transport failure" in error
    _assert_prefix_complete(lines, small_baseline, state)


def test_empty_more_pages_stop_after_a_bounded_number_of_requests(
        small, tmp_path):
    result, sim = small.pull(tmp_path, "--faults", "empty-more",
                             "--fault-rate", "1")
    assert result.returncode == 1
    assert "keeps reporting more results but sends no usable items" in \
        result.stderr
    assert len(sim.searches()) <= 3
    assert read_state(tmp_path / "state") is None
    assert result.stdout == b""


def test_empty_more_inside_a_tie_cluster_is_bounded_too(tmp_path):
    """The first page is one tie cluster, read by page number; from then on
    every page is empty but says "more"."""
    end = data_end()
    items = [{"indicatorType": "IP", "value": f"10.9.{i // 256}.{i % 256}",
              "firstSeen": end - 5000, "lastSeen": end - 1000}
             for i in range(2500)]
    data = tmp_path / "data.json"
    data.write_text(json.dumps(items))
    sim = start_sim(tmp_path / "sim", "--data", data, "--faults",
                    "empty-more", "--fault-rate", "1", "--fault-after", 1)
    try:
        config = stanza_file(tmp_path / "c.yaml", **sim_settings(
            sim, start=iso(end - DAY_MS), window="1d"))
        started = time.monotonic()
        result = run(config, tmp_path / "state")
        wall = time.monotonic() - started
    finally:
        sim.stop()
    assert result.returncode == 1, result.stderr
    assert wall < 30
    assert len(sim.searches()) <= 40
    assert read_state(tmp_path / "state") is None


def test_a_token_rejected_again_right_after_renewal_ends_the_run(tmp_path):
    """Tokens from one server that another does not know: the first refusal
    renews the token once, the second ends the run as an auth failure."""
    issuer = start_sim(tmp_path / "issuer", "--count", 10)
    api = start_sim(tmp_path / "api", "--count", 10)
    try:
        settings = sim_settings(api, token_url=f"{issuer.base}/oauth/token")
        config = stanza_file(tmp_path / "c.yaml", **settings)
        result = run(config, tmp_path / "state")
    finally:
        issuer.stop()
        api.stop()
    assert result.returncode == 1
    assert "the API rejected a freshly issued token" in result.stderr
    assert "Invalid oauth2 access token" in result.stderr
    assert len(issuer.requests()) == 2  # one renewal, no storm
    assert len(api.requests()) == 2
    assert read_state(tmp_path / "state") is None
