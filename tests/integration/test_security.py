"""Secrets and transport: no credential in any output, error message,
state file, check report or argument list, also when a server or proxy
echoes credential headers; TLS verified by default; http:// only to
loopback; redirects never followed; proxies (with credentials and
NO_PROXY) for the token and the API requests alike."""

import base64
import json
import os
import pathlib
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import (API_KEY, API_SECRET, CONNECTOR, DAY_MS, iso,
                      sim_settings, stanza_file)
from reliability import (assert_level_lines, connector_env, data_end,
                         event_lines, read_state, run, start_sim, summary)

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] /
                       "support"))
from proxy import LoopbackProxy  # noqa: E402

PROXY_USER = "itest-proxy-user"
PROXY_PASSWORD = "itest-PROXYPASS-5e6f7a8b"
WRONG_SECRET = "itest-WRONG-SECRET-0badc0de"
BASIC = base64.b64encode(f"{API_KEY}:{API_SECRET}".encode()).decode()
PROXY_BASIC = base64.b64encode(
    f"{PROXY_USER}:{PROXY_PASSWORD}".encode()).decode()


def current_token(sim):
    """The bearer token the simulator hands out now (it returns the same
    one while it is valid), so tests can search outputs for it."""
    request = urllib.request.Request(
        f"{sim.base}/oauth/token", data=b"grant_type=client_credentials",
        headers={"Authorization": f"Basic {BASIC}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)["access_token"]


def assert_no_secret(texts, extra=()):
    secrets = [API_KEY, API_SECRET, BASIC, PROXY_PASSWORD, PROXY_BASIC,
               WRONG_SECRET] + [s for s in extra if s]
    for text in texts:
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        for secret in secrets:
            assert secret not in text, f"a secret leaked: {text[:300]!r}"


def check(config, state_dir, env=None):
    completed = subprocess.run(
        [str(CONNECTOR), "check", "--config", str(config), "--state-dir",
         str(state_dir)], env=connector_env(env), capture_output=True,
        timeout=60, check=False)
    completed.stderr = completed.stderr.decode("utf-8", "replace")
    return completed


def state_texts(state_dir):
    state_dir = pathlib.Path(state_dir)
    if not state_dir.exists():
        return []
    return [p.read_bytes() for p in state_dir.iterdir() if p.is_file()]


@pytest.fixture
def started(tmp_path):
    """Starts sims and proxies; stops them all at the end."""
    things = []

    def sim(*args, name=None):
        s = start_sim(tmp_path / (name or f"sim{len(things)}"), *args)
        things.append(s)
        return s

    def proxy(**kwargs):
        p = LoopbackProxy(**kwargs).start()
        things.append(p)
        return p

    sim.proxy = proxy
    yield sim
    for thing in things:
        thing.stop()


# --- Secrets ------------------------------------------------------------------

def test_echoed_credentials_are_scrubbed_from_every_message(started,
                                                            tmp_path):
    """The server quotes the Authorization header it got at the start of
    every error message. A 500 on every search, with no retries, ends the
    run with the server's message quoted; a wrong secret makes `check`
    quote the refused Basic header."""
    end = data_end()
    sim = started("--count", 500, "--end", end, "--span", "1d",
                  "--echo-auth", "--faults", "500", "--fault-rate", "1")
    state = tmp_path / "state"
    config = stanza_file(tmp_path / "c.yaml", **sim_settings(
        sim, start=iso(end - DAY_MS), retries="0", log_level="debug"))
    result = run(config, state, "--log-level", "debug")
    token = current_token(sim)
    assert result.returncode == 1
    error = [l for l in result.stderr.split("\n") if l.startswith("ERROR")]
    assert len(error) == 1
    assert "Authorization: Bearer [REDACTED]" in error[0], error[0]

    wrong = check(config, state, env={"ITEST_TRUSTAR_SECRET": WRONG_SECRET})
    assert wrong.returncode == 1
    assert "Authorization: Basic [REDACTED]" in wrong.stderr, wrong.stderr
    wrong_basic = base64.b64encode(
        f"{API_KEY}:{WRONG_SECRET}".encode()).decode()
    good = check(config, state)
    assert good.returncode == 1  # every API call meets a 500
    assert_no_secret([result.stdout, result.stderr, wrong.stdout,
                      wrong.stderr, good.stdout, good.stderr] +
                     state_texts(state), extra=[token, wrong_basic])


def test_echoed_token_in_an_expiry_answer_is_scrubbed(started, tmp_path):
    """Expired-token answers echo the old token; the run renews and goes
    on, and neither token shows up anywhere (debug logging on)."""
    end = data_end()
    sim = started("--count", 3000, "--end", end, "--span", "1d",
                  "--echo-auth", "--expire-every", 2)
    state = tmp_path / "state"
    config = stanza_file(tmp_path / "c.yaml", **sim_settings(
        sim, start=iso(end - DAY_MS), page_size="200"))
    result = run(config, state, "--log-level", "debug")
    assert result.returncode == 0, result.stderr
    token = current_token(sim)
    assert_no_secret([result.stdout, result.stderr] + state_texts(state),
                     extra=[token])


def test_secrets_never_reach_the_argument_list(started, tmp_path):
    """/proc/<pid>/cmdline of the running connector (and of any child)
    holds no credential, even with literal secrets in the config."""
    end = data_end()
    sim = started("--count", 4000, "--end", end, "--span", "1d",
                  "--latency-ms", 40)
    proxy = started.proxy(credentials=(PROXY_USER, PROXY_PASSWORD))
    config = stanza_file(tmp_path / "c.yaml", **sim_settings(
        sim, start=iso(end - DAY_MS), page_size="100", api_key=API_KEY,
        api_secret=API_SECRET,
        proxy=proxy.url(PROXY_USER, PROXY_PASSWORD)))
    process = subprocess.Popen(
        [str(CONNECTOR), "run", "--config", str(config), "--state-dir",
         str(tmp_path / "state")], env=connector_env(),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seen = []
    deadline = time.monotonic() + 5
    while process.poll() is None and time.monotonic() < deadline:
        proc = pathlib.Path(f"/proc/{process.pid}")
        try:
            seen.append((proc / "cmdline").read_bytes())
            for task in (proc / "task").iterdir():
                for child in (task / "children").read_text().split():
                    child_proc = pathlib.Path(f"/proc/{child}")
                    seen.append((child_proc / "cmdline").read_bytes())
                    # A sanitizer build clones itself to check for leaks
                    # at exit; any other program is a spawned process.
                    assert os.readlink(child_proc / "exe") == \
                        os.readlink(proc / "exe"), "the connector spawned " \
                        "a program"
        except FileNotFoundError:
            break
        time.sleep(0.05)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr.decode()
    assert len(seen) >= 5
    assert_no_secret(seen + [stderr])


@pytest.mark.parametrize("mode,warned", [(0o600, False), (0o640, True),
                                         (0o644, True)])
def test_literal_secrets_in_a_readable_config_draw_a_warning(
        mode, warned, started, tmp_path):
    sim = started("--count", 10)
    config = stanza_file(tmp_path / "c.yaml", **sim_settings(
        sim, api_key=API_KEY, api_secret=API_SECRET))
    os.chmod(config, mode)
    result = run(config, tmp_path / "state")
    assert result.returncode == 0, result.stderr
    warnings = [l for l in result.stderr.split("\n")
                if l.startswith("WARN config:") and "literal" in l]
    assert bool(warnings) == warned, result.stderr
    if warned:
        assert "api_key and api_secret are literals" in warnings[0]
    assert_no_secret([result.stdout, result.stderr])


# --- Proxy ----------------------------------------------------------------------

def _proxied_pull(started, tmp_path, tls, env=None, proxy_mode="forward"):
    end = data_end()
    if tls:
        sim, cert = _tls_sim(started, tmp_path, "--count", 3000, "--end", end,
                             "--span", "1d")
        extra = {"ca_file": str(cert)}
    else:
        sim = started("--count", 3000, "--end", end, "--span", "1d")
        extra = {}
    proxy = started.proxy(credentials=(PROXY_USER, PROXY_PASSWORD),
                          mode=proxy_mode)
    config = stanza_file(tmp_path / "c.yaml", **sim_settings(
        sim, start=iso(end - DAY_MS), page_size="1000",
        proxy="env:ITEST_PROXY", **extra))
    env = dict(env or {}, ITEST_PROXY=proxy.url(PROXY_USER, PROXY_PASSWORD))
    state = tmp_path / "state"
    result = run(config, state, "--log-level", "debug", env=env)
    checked = check(config, state, env=env)
    return sim, proxy, result, checked, state


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_token_and_api_requests_go_through_the_proxy(tls, started, tmp_path):
    sim, proxy, result, checked, state = _proxied_pull(started, tmp_path, tls)
    assert result.returncode == 0, result.stderr
    assert checked.returncode == 0, checked.stderr
    lines, _ = event_lines(result.stdout)
    assert len(lines) == 3000
    records = proxy.records
    assert records and all(r["proxy_auth"] == f"Basic {PROXY_BASIC}"
                           for r in records)
    if tls:
        # Tunnels only; the proxy sees hosts, never paths or tokens.
        assert {r["method"] for r in records} == {"CONNECT"}
        assert {r["target"] for r in records} == {f"127.0.0.1:{sim.port}"}
    else:
        paths = [r["target"].split("?")[0] for r in records]
        assert any(p.endswith("/oauth/token") for p in paths)
        assert any(p.endswith("/api/1.3/indicators/search") for p in paths)
        assert any(p.endswith("/api/1.3/enclaves") for p in paths), paths
    # Every request the simulator saw came through the proxy (libcurl may
    # resend one by itself on a connection that died, so count the
    # simulator's side).
    seen = sim.requests()
    assert len(seen) >= summary(result.stderr)["requests"] + 2  # + check
    if not tls:
        assert len(records) == len(seen)
    assert_no_secret([result.stdout, result.stderr, checked.stdout,
                      checked.stderr] + state_texts(state))


@pytest.mark.parametrize("variable", ["NO_PROXY", "no_proxy"])
def test_no_proxy_is_honoured(variable, started, tmp_path):
    sim, proxy, result, checked, _ = _proxied_pull(
        started, tmp_path, False, env={variable: "127.0.0.1"})
    assert result.returncode == 0, result.stderr
    assert checked.returncode == 0, checked.stderr
    assert proxy.records == []
    assert sim.requests()


def test_a_proxy_refusal_that_quotes_the_credentials_is_scrubbed(started,
                                                                 tmp_path):
    sim, proxy, result, checked, state = _proxied_pull(
        started, tmp_path, False, proxy_mode="echo407")
    assert result.returncode == 1
    assert "407" in result.stderr
    assert proxy.records
    assert_no_secret([result.stdout, result.stderr, checked.stdout,
                      checked.stderr] + state_texts(state))


def test_a_percent_encoded_proxy_password_is_scrubbed_in_both_forms(
        started, tmp_path):
    """The proxy URL carries the password percent-encoded (it holds '@'
    and ':'); libcurl sends it decoded, and the refusal quotes it decoded
    and as Basic: neither form, nor the encoded one, may show up."""
    encoded = "itest-PX%40PASS%3A7a8b9c"
    decoded = "itest-PX@PASS:7a8b9c"
    basic = base64.b64encode(f"{PROXY_USER}:{decoded}".encode()).decode()
    sim = started("--count", 100)
    proxy = started.proxy(credentials=(PROXY_USER, decoded), mode="echo407")
    config = stanza_file(tmp_path / "c.yaml", **sim_settings(
        sim, proxy="env:ITEST_PROXY"))
    env = {"ITEST_PROXY": proxy.url(PROXY_USER, encoded)}
    result = run(config, tmp_path / "state", "--log-level", "debug",
                 env=env)
    checked = check(config, tmp_path / "state", env=env)
    assert result.returncode == 1 and checked.returncode == 1
    assert proxy.records[0]["proxy_auth"] == f"Basic {basic}"
    assert "was refused" in result.stderr  # the echo arrived
    assert_no_secret([result.stdout, result.stderr, checked.stdout,
                      checked.stderr], extra=[encoded, decoded, basic])


def test_a_server_that_echoes_forwarded_proxy_credentials_is_scrubbed(
        started, tmp_path):
    """A careless proxy forwards Proxy-Authorization to the server, which
    quotes it in an error: the proxy's Basic credentials must not reach
    the connector's messages either."""
    end = data_end()
    sim = started("--count", 100, "--end", end, "--span", "1d",
                  "--echo-auth", "--faults", "500", "--fault-rate", "1")
    proxy = started.proxy(credentials=(PROXY_USER, PROXY_PASSWORD),
                          mode="sloppy")
    config = stanza_file(tmp_path / "c.yaml", **sim_settings(
        sim, start=iso(end - DAY_MS), retries="0",
        proxy="env:ITEST_PROXY"))
    result = run(config, tmp_path / "state",
                 env={"ITEST_PROXY": proxy.url(PROXY_USER, PROXY_PASSWORD)})
    assert result.returncode == 1
    assert "Proxy-Authorization" in result.stderr  # the echo arrived
    assert_no_secret([result.stdout, result.stderr])


# --- TLS ----------------------------------------------------------------------

def _tls_sim(started, tmp_path, *args, host="127.0.0.1"):
    cert = tmp_path / f"sim-{host}.pem"
    sim = started("--tls-cert", cert, "--host", host, *args,
                  name=f"tls-{host}")
    sim.base = f"https://{host}:{sim.port}"
    return sim, cert


def test_tls_is_verified_by_default(started, tmp_path):
    sim, _ = _tls_sim(started, tmp_path, "--count", 100)
    config = stanza_file(tmp_path / "c.yaml", **sim_settings(sim))
    result = run(config, tmp_path / "state")
    assert result.returncode == 1
    errors = [l for l in result.stderr.split("\n") if l.startswith("ERROR")]
    assert len(errors) == 1
    assert "POST /oauth/token" in errors[0]
    assert "certificate" in errors[0], errors[0]
    assert result.stdout == b""
    assert sim.requests() == []  # the handshake failed before any request
    checked = check(config, tmp_path / "state")
    assert checked.returncode == 1 and "certificate" in checked.stderr


def test_ca_file_makes_a_private_certificate_work(started, tmp_path):
    end = data_end()
    sim, cert = _tls_sim(started, tmp_path, "--count", 2000, "--end", end,
                         "--span", "1d")
    config = stanza_file(tmp_path / "c.yaml", **sim_settings(
        sim, start=iso(end - DAY_MS), ca_file=str(cert)))
    result = run(config, tmp_path / "state")
    assert result.returncode == 0, result.stderr
    assert len(event_lines(result.stdout)[0]) == 2000
    assert "WARN tls" not in result.stderr


def test_the_certificate_must_name_the_host(started, tmp_path):
    """Trusted CA, wrong name: the certificate covers 127.0.0.1, ::1 and
    localhost, the server is reached as 127.0.0.2."""
    sim, cert = _tls_sim(started, tmp_path, "--count", 100, host="127.0.0.2")
    config = stanza_file(tmp_path / "c.yaml", **sim_settings(
        sim, ca_file=str(cert)))
    result = run(config, tmp_path / "state")
    assert result.returncode == 1
    assert "certificate" in result.stderr or "subject" in result.stderr, \
        result.stderr
    assert sim.requests() == []


def test_verify_tls_false_works_and_warns_on_every_run(started, tmp_path):
    end = data_end()
    sim, _ = _tls_sim(started, tmp_path, "--count", 500, "--end", end,
                      "--span", "1d")
    config = stanza_file(tmp_path / "c.yaml", **sim_settings(
        sim, start=iso(end - DAY_MS), verify_tls="false"))
    for attempt in range(2):
        result = run(config, tmp_path / "state")
        assert result.returncode == 0, result.stderr
        warnings = [l for l in result.stderr.split("\n")
                    if l.startswith("WARN tls:")]
        assert len(warnings) == 1, (attempt, result.stderr)
        assert "NOT checked" in warnings[0]
    checked = check(config, tmp_path / "state")
    assert checked.returncode == 0
    assert "WARN tls:" in checked.stderr


# --- Plain http and redirects ------------------------------------------------

# Hosts that are not loopback, or only look like it. The stanza also
# names a proxy on a closed loopback port, so that even a stanza wrongly
# accepted could not reach another host.
NOT_LOOPBACK = ["http://192.0.2.10/api/1.3", "http://example.invalid/api",
                "http://127.0.0.1.example.invalid/api",
                "http://localhost.example.invalid/api",
                "http://[::ffff:127.0.0.1]/api", "http://0x7f000001/api",
                "http://2130706433/api", "http://127.1/api",
                "http://127.0.0.1@192.0.2.10/api",
                "HTTP://192.0.2.10/api"]


@pytest.mark.parametrize("url", NOT_LOOPBACK)
@pytest.mark.parametrize("key", ["api_url", "token_url"])
def test_plain_http_to_another_host_is_a_config_error(key, url, tmp_path):
    settings = {"integration": "itest", "api_key": "env:ITEST_TRUSTAR_KEY",
                "api_secret": "env:ITEST_TRUSTAR_SECRET",
                "api_url": "http://127.0.0.1:9/api/1.3",
                "token_url": "http://127.0.0.1:9/oauth/token",
                "proxy": "http://127.0.0.1:9", "retries": "0",
                "timeout": "1s"}
    settings[key] = url
    config = stanza_file(tmp_path / "c.yaml", **settings)
    result = run(config, tmp_path / "state")
    assert result.returncode == 2, result.stderr
    lines = [l for l in result.stderr.split("\n") if l]
    assert lines and all(l.startswith("ERROR config:") for l in lines)
    assert any(f"{key}:" in l for l in lines)


@pytest.mark.parametrize("hop", ["token", "api"])
def test_redirects_are_not_followed(hop, started, tmp_path):
    target = started("--count", 100, name="target")
    redirector = started("--count", 100, "--redirect-to", target.base,
                         "--echo-auth", name="redirector")
    settings = sim_settings(target if hop == "api" else redirector)
    if hop == "token":
        settings["token_url"] = f"{redirector.base}/oauth/token"
    else:
        settings["api_url"] = f"{redirector.base}/api/1.3"
    config = stanza_file(tmp_path / "c.yaml", **settings)
    result = run(config, tmp_path / "state")
    assert result.returncode == 1
    assert "status 302" in result.stderr, result.stderr
    assert len(redirector.requests()) == 1
    followed = [r for r in target.requests()
                if r["path"] != "/oauth/token"]
    assert followed == [], "a redirect was followed"
    if hop == "token":
        assert target.requests() == []
