"""Fixtures that run the real binaries: trustar-sim on 127.0.0.1 and
trustar-connector against it. Nothing here talks to any other host."""

import fcntl
import json
import os
import pathlib
import re
import signal
import subprocess
import time

import jsonschema
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN_DIR = pathlib.Path(os.environ.get("TRUSTAR_BIN_DIR", ROOT / "build" / "bin"))
CONNECTOR = BIN_DIR / "trustar-connector"
SIM = BIN_DIR / "trustar-sim"

# Distinctive credentials: tests search every output for them.
API_KEY = "itest-KEY-7f3a9c1e5b"
API_SECRET = "itest-SECRET-d41d8cd98f00"

LEVEL_LINE = re.compile(r"^(DEBUG|INFO|WARN|ERROR|FATAL) ")

with open(ROOT / "schemas" / "event.schema.json", encoding="utf-8") as f:
    EVENT_SCHEMA = json.load(f)
EVENT_VALIDATOR = jsonschema.Draft202012Validator(EVENT_SCHEMA)

DAY_MS = 86_400_000
HOUR_MS = 3_600_000


class Sim:
    """One trustar-sim process; stopped with SIGTERM so it writes truth."""

    def __init__(self, workdir, args, env=None):
        self.workdir = pathlib.Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port_file = self.workdir / "port"
        self.request_log = self.workdir / "requests.jsonl"
        self.truth_file = self.workdir / "truth.jsonl"
        full_env = dict(os.environ)
        full_env.update({"TRUSTAR_SIM_KEY": API_KEY,
                         "TRUSTAR_SIM_SECRET": API_SECRET})
        full_env.update(env or {})
        command = [str(SIM), "--host", "127.0.0.1", "--port", "0",
                   "--port-file", str(self.port_file),
                   "--request-log", str(self.request_log),
                   "--truth-file", str(self.truth_file)] + list(args)
        self.stderr = open(self.workdir / "sim.stderr", "wb")
        self.process = subprocess.Popen(command, env=full_env,
                                        stdout=subprocess.DEVNULL,
                                        stderr=self.stderr)
        deadline = time.monotonic() + 60
        while not self.port_file.exists():
            if self.process.poll() is not None:
                raise RuntimeError("trustar-sim exited: " +
                                   (self.workdir / "sim.stderr").read_text())
            if time.monotonic() > deadline:
                raise RuntimeError("trustar-sim did not start")
            time.sleep(0.02)
        self.port = int(self.port_file.read_text().strip())
        self.base = f"http://127.0.0.1:{self.port}"

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.stderr.close()

    def requests(self):
        if not self.request_log.exists():
            return []
        with open(self.request_log, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    def searches(self):
        return [r for r in self.requests()
                if r["path"].endswith("/indicators/search")]

    def truth(self):
        """All indicator versions; call after stop()."""
        with open(self.truth_file, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]


class Result:
    def __init__(self, completed):
        self.returncode = completed.returncode
        self.stdout = completed.stdout
        self.stderr = completed.stderr.decode("utf-8", "replace")

    def events(self):
        """Every stdout line, parsed and validated against the schema."""
        events = []
        for line in self.stdout.split(b"\n"):
            if not line:
                continue
            event = json.loads(line.decode("utf-8"))
            EVENT_VALIDATOR.validate(event)
            events.append(event)
        return events

    def stderr_lines(self):
        return [line for line in self.stderr.split("\n") if line]

    def windows(self):
        """(from, to) of each completed window, from the INFO lines."""
        found = []
        for line in self.stderr_lines():
            match = re.search(r"window done from=(\S+) to=(\S+)", line)
            if match:
                found.append((match.group(1), match.group(2)))
        return found


@pytest.fixture
def sims(tmp_path):
    started = []

    def start(*args, env=None):
        sim = Sim(tmp_path / f"sim{len(started)}", [str(a) for a in args],
                  env=env)
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.stop()


def stanza_file(path, name="itest", **settings):
    """Writes a YAML config with one stanza; values are quoted strings
    unless they are lists."""
    lines = [f"{name}:"]
    for key, value in settings.items():
        if isinstance(value, list):
            lines.append(f"  {key}:")
            lines.extend(f"    - {json.dumps(v)}" for v in value)
        else:
            lines.append(f"  {key}: {json.dumps(str(value))}")
    path = pathlib.Path(path)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.chmod(path, 0o600)
    return path


def sim_settings(sim, version="1.3", **extra):
    settings = {
        "integration": "itest-metatag",
        "api_url": f"{sim.base}/api/{version}",
        "token_url": f"{sim.base}/oauth/token",
        "api_version": version,
        "api_key": "env:ITEST_TRUSTAR_KEY",
        "api_secret": "env:ITEST_TRUSTAR_SECRET",
        "lag": "0s",
        # Pacing is tested on its own; elsewhere it would only slow tests.
        "requests_per_minute": "0",
    }
    settings.update(extra)
    return settings


def run_connector(*args, env=None, timeout=600):
    full_env = dict(os.environ)
    full_env.update({"ITEST_TRUSTAR_KEY": API_KEY,
                     "ITEST_TRUSTAR_SECRET": API_SECRET})
    full_env.update(env or {})
    completed = subprocess.run([str(CONNECTOR)] + [str(a) for a in args],
                               env=full_env, capture_output=True,
                               timeout=timeout, check=False)
    return Result(completed)


def data_end():
    """A fixed end for generated data: an hour ago, on a whole minute."""
    return (int(time.time() * 1000) - HOUR_MS) // 60_000 * 60_000


def iso(ms):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + \
        f".{ms % 1000:03d}Z"


def versions(events):
    """(guid, last_seen) of each event, as a list (duplicates kept)."""
    return [(e["guid"], e["last_seen"]) for e in events]


def truth_versions(truth, lo, hi, current_only=True):
    return {(t["guid"], iso(t["lastSeen"])) for t in truth
            if lo <= t["lastSeen"] <= hi and (t["current"] or not current_only)}


def assert_log_lines(result):
    for line in result.stderr_lines():
        assert LEVEL_LINE.match(line), f"stderr line without level: {line!r}"


def hold_lock(path):
    handle = open(path, "a+")
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return handle


SPLUNKD_STANDIN = ROOT / "tests" / "support" / "splunkd_standin.py"


class Splunkd:
    """tests/support/splunkd_standin.py on 127.0.0.1: storage/passwords."""

    def __init__(self, workdir, session_key, passwords):
        self.workdir = pathlib.Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port_file = self.workdir / "port"
        self.request_log = self.workdir / "requests.jsonl"
        env = dict(os.environ)
        env.update({"SPLUNKD_STANDIN_SESSION_KEY": session_key,
                    "SPLUNKD_STANDIN_PASSWORDS": json.dumps(passwords)})
        self.stderr = open(self.workdir / "splunkd.stderr", "wb")
        self.process = subprocess.Popen(
            ["/usr/bin/python3", str(SPLUNKD_STANDIN),
             "--port-file", str(self.port_file),
             "--request-log", str(self.request_log)],
            env=env, stdout=subprocess.DEVNULL, stderr=self.stderr)
        deadline = time.monotonic() + 30
        while not self.port_file.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("splunkd stand-in did not start: " +
                                   (self.workdir / "splunkd.stderr")
                                   .read_text())
            time.sleep(0.02)
        self.uri = f"http://127.0.0.1:{int(self.port_file.read_text())}"

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.stderr.close()

    def requests(self):
        if not self.request_log.exists():
            return []
        with open(self.request_log, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]


@pytest.fixture
def splunkd(tmp_path):
    """Starts splunkd stand-ins: splunkd(session_key, {entry: password})."""
    started = []

    def start(session_key, passwords):
        server = Splunkd(tmp_path / f"splunkd{len(started)}", session_key,
                         passwords)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
