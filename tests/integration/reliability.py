"""Helpers shared by the fault, crash, security, time-zone and hostile-input
suites. Everything here talks only to processes the tests start on
127.0.0.1."""

import json
import os
import pathlib
import re
import subprocess
import time

from conftest import data_end
from conftest import (API_KEY, API_SECRET, CONNECTOR, EVENT_VALIDATOR,
                      HOUR_MS, LEVEL_LINE, Sim)

SUMMARY = re.compile(r"^INFO run: finished (.*)$", re.M)

# Every secret-looking value the suites use; tests search outputs for them.
SECRETS = (API_KEY, API_SECRET)



def start_sim(workdir, *args, env=None):
    return Sim(workdir, [str(a) for a in args], env=env)


def connector_env(extra=None):
    env = dict(os.environ)
    env.update({"ITEST_TRUSTAR_KEY": API_KEY,
                "ITEST_TRUSTAR_SECRET": API_SECRET})
    env.update(extra or {})
    return env


def summary(stderr):
    """The key=value pairs of the run's "finished" line, as ints where
    they are numbers; {} when the run did not finish."""
    match = SUMMARY.search(stderr)
    if not match:
        return {}
    out = {}
    for key, value in re.findall(r"(\w+)=(\S+)", match.group(1)):
        out[key] = int(value) if re.fullmatch(r"-?\d+", value) else value
    return out


def event_lines(stdout, allow_torn_tail=False):
    """The output's lines as bytes (each a complete event). A killed run may
    leave one incomplete last line; with allow_torn_tail it is dropped and
    returned separately."""
    lines = stdout.split(b"\n")
    tail = lines.pop()  # after the last newline: b"" when complete
    if tail and not allow_torn_tail:
        raise AssertionError(f"output ends in a torn line: {tail[:80]!r}")
    for line in lines:
        assert line, "empty output line"
    return lines, tail


def parse_events(lines):
    """Parses and schema-checks every line; returns the event dicts."""
    events = []
    for line in lines:
        text = line.decode("utf-8")  # strict: output must be valid UTF-8
        event = json.loads(text)
        EVENT_VALIDATOR.validate(event)
        events.append(event)
    return events


def assert_level_lines(stderr):
    for line in stderr.split("\n"):
        if line:
            assert LEVEL_LINE.match(line), f"stderr line without level: {line!r}"


def read_state(state_dir, stanza="itest"):
    path = pathlib.Path(state_dir) / f"{stanza}.json"
    if not path.exists():
        return None
    return json.loads(path.read_text())


def in_flight_window(state, window_ms, start_ms):
    """The window a run starting from `state` works on first, as (from, to)
    in ms: the saved in-flight window, or the window at next_from."""
    if state is None:
        return (start_ms, start_ms + window_ms - 1)
    if state.get("in_flight"):
        return (state["in_flight"]["from"], state["in_flight"]["to"])
    return (state["next_from"], state["next_from"] + window_ms - 1)


def run(config, state_dir, *extra, env=None, timeout=600, stdout=None):
    """Runs `trustar-connector run`; returns the CompletedProcess with
    stderr decoded. stdout may be a file object instead of a pipe."""
    command = [str(CONNECTOR), "run", "--config", str(config),
               "--state-dir", str(state_dir)] + [str(a) for a in extra]
    completed = subprocess.run(
        command, env=connector_env(env), timeout=timeout, check=False,
        stdout=stdout if stdout is not None else subprocess.PIPE,
        stderr=subprocess.PIPE)
    completed.stderr = completed.stderr.decode("utf-8", "replace")
    return completed


def ms_of(text):
    """Milliseconds since the epoch of an RFC 3339 UTC time with ms."""
    from datetime import datetime, timezone
    moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=timezone.utc)
    whole = int(moment.replace(microsecond=0).timestamp())
    return whole * 1000 + moment.microsecond // 1000


def windows_done(stderr):
    """(from_ms, to_ms) of each "window done" line."""
    return [(ms_of(a), ms_of(b)) for a, b in
            re.findall(r"window done from=(\S+) to=(\S+)", stderr)]
