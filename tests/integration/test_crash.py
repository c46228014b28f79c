"""Crash safety: kill -9 at random moments, SIGTERM and SIGINT mid-run, torn
or foreign state files, and outputs that fail (EPIPE, ENOSPC). The promise:
nothing is lost, the checkpoint never runs ahead of the output, and a crash
repeats at most the window in flight, with the same event ids."""

import collections
import json
import os
import pathlib
import random
import signal
import subprocess
import time

import pytest

from conftest import CONNECTOR, DAY_MS, iso, sim_settings, stanza_file
from reliability import (assert_level_lines, connector_env, data_end,
                         event_lines, in_flight_window, ms_of, parse_events,
                         read_state, run, start_sim, summary, windows_done)

KILLS = 50


def _popen(config, state_dir, stdout, extra=()):
    return subprocess.Popen(
        [str(CONNECTOR), "run", "--config", str(config), "--state-dir",
         str(state_dir)] + list(extra),
        env=connector_env(), stdout=stdout, stderr=subprocess.PIPE)


def _last_seen(line):
    return ms_of(json.loads(line)["last_seen"])


class KillCampaign:
    """One simulator, one stanza; a fault-free reference pull in a state
    directory of its own, then runs in another one that get killed."""

    def __init__(self, tmp_path, count, days, windows, latency_ms,
                 page_size):
        self.tmp = tmp_path
        self.end = data_end()
        self.start = self.end - days * DAY_MS
        self.window_ms = days * DAY_MS // windows
        self.sim = start_sim(tmp_path / "sim", "--seed", 77, "--count", count,
                             "--end", self.end, "--span", f"{days}d",
                             "--clusters", 3, "--cluster-size", 1200,
                             "--latency-ms", latency_ms)
        self.config = stanza_file(tmp_path / "c.yaml", **sim_settings(
            self.sim, start=iso(self.start), window=f"{self.window_ms}ms",
            page_size=str(page_size)))
        self.state = tmp_path / "state"

    def reference(self):
        started = time.monotonic()
        result = run(self.config, self.tmp / "reference-state")
        wall = time.monotonic() - started
        assert result.returncode == 0, result.stderr
        lines, _ = event_lines(result.stdout)
        return lines, wall

    def window_of(self, state):
        lo, hi = in_flight_window(state, self.window_ms, self.start)
        return lo, min(hi, self.end + 10 * DAY_MS)


@pytest.fixture
def campaign(tmp_path):
    made = []

    def make(**kwargs):
        c = KillCampaign(tmp_path, **kwargs)
        made.append(c)
        return c

    yield make
    for c in made:
        c.sim.stop()


def _kill_campaign(c, kills, pick_delay):
    """Runs the stanza again and again, killing each run with SIGKILL
    pick_delay(work_left, kills_left) seconds after it started, until
    `kills` kills happened; then one run to the end. Returns the runs (the
    state before and after, whether killed, the complete lines and any
    torn last line) and how many kills hit a run with work left."""
    runs = []
    done_kills = 0
    with_work_left = 0
    # Bounded: runs that finish before their kill still count, and the
    # campaign ends once the pull is complete.
    while done_kills < kills and len(runs) < 4 * kills:
        before = read_state(c.state)
        if before and before["next_from"] > c.end and \
                not before.get("in_flight"):
            break
        done_from = before["next_from"] if before else c.start
        work_left = max(0.0, (c.end - done_from) / (c.end - c.start))
        delay = pick_delay(work_left, (kills - done_kills) / kills)
        out_path = c.tmp / f"run{len(runs)}.out"
        with open(out_path, "wb") as out:
            process = _popen(c.config, c.state, out)
            time.sleep(delay)
            killed = process.poll() is None
            if killed:
                process.kill()
            _, stderr = process.communicate(timeout=60)
        after = read_state(c.state)  # must always parse: never torn
        if killed:
            done_kills += 1
            if after is None or after["next_from"] <= c.end:
                with_work_left += 1
        else:
            assert process.returncode == 0, stderr.decode()
        lines, tail = event_lines(out_path.read_bytes(),
                                  allow_torn_tail=killed)
        runs.append({"before": before, "after": after, "killed": killed,
                     "lines": lines, "tail": tail})
    final = run(c.config, c.state)
    assert final.returncode == 0, final.stderr
    final_lines, _ = event_lines(final.stdout)
    runs.append({"before": read_state(c.state), "after": None,
                 "killed": False, "lines": final_lines, "tail": b""})
    return runs, with_work_left


def test_fifty_kill9s_lose_nothing_and_repeat_only_in_flight_windows(
        campaign):
    c = campaign(count=60000, days=30, windows=30, latency_ms=2,
                 page_size=250)
    reference, wall = c.reference()
    assert len(reference) == len(set(reference)) == 60000
    # Kills at uniformly random moments, spaced so that fifty of them
    # spread over about 80% of an uninterrupted pull. The spacing follows
    # the work actually left, so that a machine faster or slower than
    # during the reference pull still gets every kill in mid-pull.
    rng = random.Random(20241204)
    base_delay = 2 * 0.8 * wall / KILLS

    def pick_delay(work_left, kills_left):
        return rng.uniform(0, base_delay * min(1.0, work_left / kills_left))

    runs, mid_pull = _kill_campaign(c, KILLS, pick_delay)
    assert mid_pull >= 45, "the pull finished too early"
    repeated = _check_campaign(c, reference, runs)
    print(f"\n{KILLS} kills ({mid_pull} mid-pull) over a {wall:.2f} s "
          f"pull: {len(runs)} runs, {repeated} repeated events, "
          f"{sum(1 for r in runs if r['tail'])} torn last lines")


def test_kill9s_inside_long_windows_resume_from_the_saved_position(
        campaign):
    """Windows long enough that runs save their keyset position inside
    the window (at most once a second) before being killed: the next run
    resumes below it, and repeats stay below it too."""
    c = campaign(count=60000, days=2, windows=2, latency_ms=15,
                 page_size=100)
    reference, wall = c.reference()
    rng = random.Random(7)
    # Each run lives 1.2 to 1.8 s: long enough to save a position (at most
    # once a second), short enough that four kills stay mid-pull.
    runs, mid_pull = _kill_campaign(
        c, 4, lambda work_left, kills_left: rng.uniform(1.2, 1.8))
    assert mid_pull == 4, f"only {mid_pull} kills mid-pull ({wall:.1f} s)"
    saved = [r["after"]["in_flight"] for r in runs
             if r["killed"] and r["after"] and r["after"].get("in_flight")]
    assert len(saved) >= 2, "no run saved a position inside its window"
    repeated = _check_campaign(c, reference, runs)
    print(f"\n4 kills over a {wall:.2f} s pull, {len(saved)} mid-window "
          f"positions saved, {repeated} repeated events")


def _check_campaign(c, reference, runs):
    """Every indicator arrived; nothing unknown; repeats only of a killed
    run's window in flight (below its saved keyset position, if any), and
    byte-identical. Returns the number of repeated events."""
    reference_set = set(reference)
    seen_in = collections.defaultdict(list)
    for index, r in enumerate(runs):
        assert len(r["lines"]) == len(set(r["lines"])), \
            f"run {index} repeated an event within itself"
        for line in r["lines"]:
            assert line in reference_set, f"run {index}: unknown {line[:80]}"
            seen_in[line].append(index)
        if r["tail"]:
            assert any(line.startswith(r["tail"]) for line in reference)
    missing = reference_set - set(seen_in)
    assert not missing, f"{len(missing)} indicators lost"

    repeated = 0
    for line, indices in seen_in.items():
        for index in indices[:-1]:
            repeated += 1
            r = runs[index]
            # Only a killed run's window in flight may be written again.
            assert r["killed"], f"run {index} completed yet was repeated"
            lo, hi = c.window_of(r["after"])
            assert lo <= _last_seen(line) <= hi, (
                f"run {index}: repeat at {_last_seen(line)} outside the "
                f"window in flight [{lo}, {hi}]")
            in_flight = (r["after"] or {}).get("in_flight")
            if in_flight and "upper" in in_flight:
                # Above the saved position everything was written, and so
                # were the guids saved at its boundary.
                event = json.loads(line)
                assert _last_seen(line) <= in_flight["upper"]
                assert not (_last_seen(line) == in_flight["boundary_unit"]
                            and event["guid"] in
                            in_flight["boundary_guids"])
    return repeated


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_stop_signals_end_promptly_with_consistent_state(signum, campaign):
    c = campaign(count=20000, days=10, windows=10, latency_ms=5,
                 page_size=250)
    reference, wall = c.reference()
    rng = random.Random(int(signum))
    outputs = []
    for attempt in range(4):
        out_path = c.tmp / f"stop{attempt}.out"
        with open(out_path, "wb") as out:
            process = _popen(c.config, c.state, out)
            time.sleep(rng.uniform(0.05, wall / 4))
            if process.poll() is not None:
                break
            sent = time.monotonic()
            process.send_signal(signum)
            _, stderr = process.communicate(timeout=30)
            took = time.monotonic() - sent
        stderr = stderr.decode()
        assert process.returncode == 1, stderr
        assert took < 2.0, f"took {took:.1f} s to stop"
        assert "WARN run: stopped by a signal" in stderr
        assert_level_lines(stderr)
        state = read_state(c.state)
        done = windows_done(stderr)
        if done:
            assert state["next_from"] >= done[-1][1] + 1
        lines, _ = event_lines(out_path.read_bytes())  # no torn line
        outputs.append(lines)
    final = run(c.config, c.state)
    assert final.returncode == 0, final.stderr
    outputs.append(event_lines(final.stdout)[0])
    got = [line for lines in outputs for line in lines]
    assert set(got) == set(reference)


def test_a_stop_signal_interrupts_a_slow_request(tmp_path):
    """SIGTERM while the server takes 8 s to answer (timeout 60 s): the
    run must not sit out the request."""
    end = data_end()
    sim = start_sim(tmp_path / "sim", "--count", 1000, "--end", end,
                    "--span", "1d", "--faults", "slow", "--fault-rate", "1",
                    "--slow-ms", 8000)
    try:
        config = stanza_file(tmp_path / "c.yaml", **sim_settings(
            sim, start=iso(end - DAY_MS), timeout="60s"))
        process = _popen(config, tmp_path / "state", subprocess.PIPE)
        time.sleep(1.0)
        sent = time.monotonic()
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
        took = time.monotonic() - sent
    finally:
        sim.stop()
    assert process.returncode == 1
    assert "stopped by a signal" in stderr.decode()
    assert took < 2.5, f"took {took:.1f} s to stop"
    assert read_state(tmp_path / "state") is None


# --- State files that must stop the run -------------------------------------

def _good_state(next_from):
    return {"format": 1, "stanza": "itest", "next_from": next_from,
            "next_from_time": iso(next_from), "saved_at": iso(next_from)}


def _in_flight(start=1_700_000_000_000, upper=1_700_000_500_000,
               guids=("IP|10.0.0.1",)):
    window = {"from": start, "to": start + 86_400_000 - 1,
              "upper": upper, "boundary_unit": 1_700_000_400_000,
              "boundary_guids": list(guids)}
    return {k: v for k, v in window.items() if v is not None}


BAD_STATES = {
    "empty": b"",
    "torn": json.dumps(_good_state(1_700_000_000_000)).encode()[:30],
    "not json": b"next_from=1700000000000\n",
    "json array": b"[1700000000000]\n",
    "binary": bytes(range(256)),
    "no next_from": json.dumps({"format": 1, "stanza": "itest"}).encode(),
    "next_from string": json.dumps(
        dict(_good_state(0), next_from="1700000000000")).encode(),
    "next_from negative": json.dumps(_good_state(-5)).encode(),
    "next_from fraction": json.dumps(
        dict(_good_state(0), next_from=1.7e12 + 0.5)).encode(),
    "unknown format": json.dumps(
        dict(_good_state(1_700_000_000_000), format=99)).encode(),
    "other stanza": json.dumps(
        dict(_good_state(1_700_000_000_000), stanza="other")).encode(),
    "nul bytes": b"\0" * 64,
    "in_flight not an object": json.dumps(
        dict(_good_state(1_700_000_000_000), in_flight=[1])).encode(),
    "in_flight without upper": json.dumps(dict(
        _good_state(1_700_000_000_000), in_flight=_in_flight(
            upper=None))).encode(),
    "in_flight elsewhere": json.dumps(dict(
        _good_state(1_700_000_000_000), in_flight=_in_flight(
            start=1_600_000_000_000))).encode(),
    "in_flight upper past its window": json.dumps(dict(
        _good_state(1_700_000_000_000), in_flight=_in_flight(
            upper=1_700_000_000_000 + 10 * 86_400_000))).encode(),
    "in_flight guids not strings": json.dumps(dict(
        _good_state(1_700_000_000_000), in_flight=_in_flight(
            guids=[1, 2]))).encode(),
}


@pytest.mark.parametrize("name", sorted(BAD_STATES))
def test_a_corrupt_state_file_stops_the_run_instead_of_starting_over(
        name, tmp_path):
    sim = start_sim(tmp_path / "sim", "--count", 100)
    try:
        state_dir = tmp_path / "state"
        state_dir.mkdir()
        path = state_dir / "itest.json"
        path.write_bytes(BAD_STATES[name])
        config = stanza_file(tmp_path / "c.yaml", **sim_settings(sim))
        result = run(config, state_dir)
        requests_of_run = sim.requests()
        check = run_check(config, state_dir)
    finally:
        sim.stop()
    assert result.returncode == 1, result.stderr
    errors = [l for l in result.stderr.split("\n") if l.startswith("ERROR")]
    assert len(errors) == 1, result.stderr
    assert "state file" in errors[0] and str(path) in errors[0]
    assert "corrupt" in errors[0]
    assert result.stdout == b""
    assert path.read_bytes() == BAD_STATES[name], "the state was replaced"
    assert requests_of_run == [], "the run went on despite the state"
    assert check.returncode == 1 and "corrupt" in check.stderr


def run_check(config, state_dir):
    completed = subprocess.run(
        [str(CONNECTOR), "check", "--config", str(config), "--state-dir",
         str(state_dir)], env=connector_env(), capture_output=True,
        timeout=60, check=False)
    completed.stderr = completed.stderr.decode("utf-8", "replace")
    return completed


def test_a_state_path_that_is_a_directory_stops_the_run(tmp_path):
    sim = start_sim(tmp_path / "sim", "--count", 100)
    try:
        state_dir = tmp_path / "state"
        (state_dir / "itest.json").mkdir(parents=True)
        config = stanza_file(tmp_path / "c.yaml", **sim_settings(sim))
        result = run(config, state_dir)
    finally:
        sim.stop()
    assert result.returncode == 1
    assert "state" in result.stderr and "ERROR" in result.stderr
    assert result.stdout == b""


def test_an_unwritable_checkpoint_stops_the_run_and_the_window_repeats(
        tmp_path):
    """The temporary file the checkpoint is written through cannot be
    created: the run ends with exit 1 after the first window's events, and
    the next run (once it can write) repeats that window."""
    end = data_end()
    sim = start_sim(tmp_path / "sim", "--count", 3000, "--end", end,
                    "--span", "2d")
    try:
        state_dir = tmp_path / "state"
        blocker = state_dir / "itest.json.tmp"
        blocker.mkdir(parents=True)
        config = stanza_file(tmp_path / "c.yaml", **sim_settings(
            sim, start=iso(end - 2 * DAY_MS), window="1d"))
        first = run(config, state_dir)
        blocker.rmdir()
        second = run(config, state_dir)
    finally:
        sim.stop()
    assert first.returncode == 1
    assert "ERROR" in first.stderr and "itest.json.tmp" in first.stderr
    assert read_state(state_dir)["next_from"] > end
    first_lines, _ = event_lines(first.stdout)
    second_lines, _ = event_lines(second.stdout)
    assert first_lines and set(first_lines) <= set(second_lines)
    assert len(set(second_lines)) == len(second_lines) == 3000


# --- Outputs that fail --------------------------------------------------------

def _pull_setup(tmp_path, count=6000, days=3):
    end = data_end()
    sim = start_sim(tmp_path / "sim", "--count", count, "--end", end,
                    "--span", f"{days}d", "--clusters", 0)
    config = stanza_file(tmp_path / "c.yaml", **sim_settings(
        sim, start=iso(end - days * DAY_MS), window="1d", page_size="500"))
    return sim, config, end


def test_stdout_full_stops_the_run_before_any_checkpoint(tmp_path):
    sim, config, _ = _pull_setup(tmp_path)
    try:
        with open("/dev/full", "wb") as full:
            result = run(config, tmp_path / "state", stdout=full)
    finally:
        sim.stop()
    assert result.returncode == 1
    errors = [l for l in result.stderr.split("\n") if l.startswith("ERROR")]
    assert len(errors) == 1
    assert "No space left on device" in errors[0]
    assert read_state(tmp_path / "state") is None


def test_stdout_closed_early_stops_the_run_at_the_window_being_written(
        tmp_path):
    """Like `| head -c 100`: the reader goes away after 100 bytes. The
    run stops with exit 1 on EPIPE; the checkpoint stays at the last window
    whose events were all written, and the next run writes the rest."""
    sim, config, end = _pull_setup(tmp_path, count=30000, days=3)
    try:
        state_dir = tmp_path / "state"
        process = _popen(config, state_dir, subprocess.PIPE)
        head = process.stdout.read(100)
        process.stdout.close()
        _, stderr = process.communicate(timeout=60)
        stderr = stderr.decode()
        state = read_state(state_dir)
        second = run(config, state_dir)
    finally:
        sim.stop()
    assert len(head) == 100
    assert process.returncode == 1, stderr
    errors = [l for l in stderr.split("\n") if l.startswith("ERROR")]
    assert len(errors) == 1 and "Broken pipe" in errors[0], stderr
    done = windows_done(stderr)
    if done:
        assert state["next_from"] == done[-1][1] + 1, stderr
    else:
        assert state is None or state["next_from"] == end - 3 * DAY_MS, \
            (state, stderr)
    assert second.returncode == 0, second.stderr
    first_window = (state or {}).get("next_from", end - 3 * DAY_MS)
    second_lines, _ = event_lines(second.stdout)
    assert min(_last_seen(l) for l in second_lines) >= first_window
    assert windows_done(second.stderr)[0][0] == first_window
