"""The modular-input modes splunkd runs, through the real binary: --scheme,
--validate-arguments, and the <input> run against trustar-sim with
credentials from a splunkd stand-in, compared with a jsonl run."""

import calendar
import json
import os
import secrets
import subprocess
import threading
import time
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

from conftest import data_end
from conftest import (API_KEY, API_SECRET, CONNECTOR, DAY_MS, EVENT_VALIDATOR,
                      HOUR_MS, LEVEL_LINE, ROOT, iso, run_connector,
                      sim_settings, stanza_file)

with open(ROOT / "schemas" / "stanza.schema.json", encoding="utf-8") as f:
    STANZA_SCHEMA = json.load(f)
SETTING_NAMES = list(STANZA_SCHEMA["properties"])

# Fresh, distinctive per run: every output is searched for them.
SESSION_KEY = "itest-SESSION-" + secrets.token_hex(8)



def param_xml(name, value):
    if isinstance(value, list):
        values = "".join(f"<value>{escape(v)}</value>" for v in value)
        return f"<param_list name={quoteattr(name)}>{values}</param_list>"
    return f"<param name={quoteattr(name)}>{escape(str(value))}</param>"


def header_xml(server_uri, checkpoint_dir, session_key=SESSION_KEY):
    return (f"<server_host>itest-host</server_host>"
            f"<server_uri>{escape(server_uri)}</server_uri>"
            f"<session_key>{escape(session_key)}</session_key>"
            f"<checkpoint_dir>{escape(str(checkpoint_dir))}</checkpoint_dir>")


def input_doc(name, params, server_uri="https://127.0.0.1:8089",
              checkpoint_dir="/nonexistent", app="TA-trustar"):
    """An <input> document as splunkd writes it, Splunk's own params too."""
    body = "".join(param_xml(k, v) for k, v in params.items())
    splunk_own = ("<param name=\"interval\">3600</param>"
                  "<param name=\"disabled\">0</param>"
                  "<param name=\"start_by_shell\">false</param>"
                  "<param name=\"python.version\">python3</param>")
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<input>" +
            header_xml(server_uri, checkpoint_dir) +
            "<configuration><stanza name=" +
            quoteattr(f"trustar_indicators://{name}") +
            f" app={quoteattr(app)}>" + splunk_own + body +
            "</stanza></configuration></input>\n").encode("utf-8")


def items_doc(name, params, server_uri="https://127.0.0.1:8089"):
    body = "".join(param_xml(k, v) for k, v in params.items())
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<items xmlns:s=\"http://dev.splunk.com/ns/rest\">" +
            header_xml(server_uri, "/nonexistent") +
            f"<item name={quoteattr(name)}>" + body +
            "</item></items>\n").encode("utf-8")


def run_splunk(*args, stdin=b"", env=None, binary=CONNECTOR, timeout=300):
    full_env = dict(os.environ)
    full_env.update(env or {})
    completed = subprocess.run([str(binary)] + [str(a) for a in args],
                               input=stdin, env=full_env,
                               capture_output=True, timeout=timeout,
                               check=False)
    return completed


def stream_events(stdout):
    """The events of an XML stream, each <data> validated as an event."""
    root = ET.fromstring(stdout)
    assert root.tag == "stream"
    events = []
    for element in root:
        assert element.tag == "event"
        data = json.loads(element.findtext("data"))
        EVENT_VALIDATOR.validate(data)
        events.append((element, data))
    return events


def epoch_ms(rfc3339):
    seconds = calendar.timegm(time.strptime(rfc3339[:19],
                                            "%Y-%m-%dT%H:%M:%S"))
    return seconds * 1000 + int(rfc3339[20:23])


def assert_level_lines(stderr):
    for line in stderr.decode("utf-8").splitlines():
        assert LEVEL_LINE.match(line), f"stderr line without level: {line!r}"


def assert_no_secret(*outputs):
    for output in outputs:
        text = output if isinstance(output, str) else \
            output.decode("utf-8", "replace")
        for secret in (SESSION_KEY, API_KEY, API_SECRET):
            assert secret not in text


def test_scheme_has_one_arg_per_stanza_setting():
    result = run_splunk("--scheme")
    assert result.returncode == 0
    assert result.stderr == b""
    scheme = ET.fromstring(result.stdout)
    assert scheme.tag == "scheme"
    assert scheme.findtext("use_external_validation") == "true"
    assert scheme.findtext("use_single_instance") == "false"
    assert scheme.findtext("streaming_mode") == "xml"
    args = scheme.findall("./endpoint/args/arg")
    assert [a.get("name") for a in args] == SETTING_NAMES
    for arg in args:
        prop = STANZA_SCHEMA["properties"][arg.get("name")]
        assert arg.findtext("title") == prop["x-title"]
        assert arg.findtext("description").startswith(prop["description"])
        kind = prop["x-kind"]
        assert arg.findtext("data_type") == {
            "integer": "number", "boolean": "boolean"}.get(kind, "string")
        required = (arg.get("name") in STANZA_SCHEMA.get("required", []) or
                    prop.get("x-required-to-run", False)) and \
            arg.get("name") != "integration"
        assert arg.findtext("required_on_create") == str(required).lower()


def test_spec_lists_every_stanza_setting():
    result = run_splunk("--splunk-spec")
    assert result.returncode == 0
    lines = result.stdout.decode("utf-8").splitlines()
    assert [l for l in lines if l.startswith("[")] == \
        ["[trustar_indicators://<name>]"]
    params = [l.split(" = ")[0] for l in lines
              if " = " in l and l[0] not in "#* "]
    assert params == SETTING_NAMES


def test_validate_arguments_accepts_good_items():
    good = {"api_key": "env:ITEST_K", "api_secret": "env:ITEST_K",
            "window": "1h", "indicator_types": ["IP", "URL"]}
    env = {"ITEST_K": "x"}
    result = run_splunk("--validate-arguments", stdin=items_doc("prod", good),
                        env=env)
    assert result.returncode == 0, result.stdout
    assert result.stdout == b""

    # Splunk's own test fixture is UTF-16 with a declaration.
    utf16 = items_doc("prod", good).decode("utf-8").replace(
        "encoding=\"UTF-8\"", "encoding=\"UTF-16\"").encode("utf-16")
    result = run_splunk("--validate-arguments", stdin=utf16, env=env)
    assert result.returncode == 0, result.stdout


def test_validate_arguments_rejects_bad_items_without_echoing_secrets():
    bad = {"api_key": API_KEY, "api_secret": API_SECRET,
           "page_size": "5000", "window": "1x", "bogus": "1"}
    result = run_splunk("--validate-arguments", stdin=items_doc("prod", bad))
    assert result.returncode != 0
    error = ET.fromstring(result.stdout)
    assert error.tag == "error"
    message = error.findtext("message")
    assert "inputs.conf stanza trustar_indicators://prod: page_size:" in \
        message
    assert "window:" in message
    assert_no_secret(result.stdout, result.stderr)

    missing = run_splunk("--validate-arguments",
                         stdin=items_doc("prod", {"window": "1h"}))
    assert missing.returncode != 0
    assert "api_key: missing required setting" in \
        ET.fromstring(missing.stdout).findtext("message")

    garbage = run_splunk("--validate-arguments", stdin=b"<items><item>")
    assert garbage.returncode != 0
    assert "invalid XML" in ET.fromstring(garbage.stdout).findtext("message")


def test_validate_arguments_checks_secret_store_entries(splunkd):
    server = splunkd(SESSION_KEY, {"trustar:key:": API_KEY,
                                   "trustar:secret:": API_SECRET})
    params = {"api_key": "splunk:trustar:key",
              "api_secret": "splunk:trustar:secret"}
    # A proxy in the environment must not see splunkd's traffic.
    proxy = {"http_proxy": "http://127.0.0.1:9", "https_proxy":
             "http://127.0.0.1:9", "all_proxy": "http://127.0.0.1:9"}
    result = run_splunk("--validate-arguments", env=proxy,
                        stdin=items_doc("prod", params, server.uri))
    assert result.returncode == 0, result.stdout
    assert len(server.requests()) == 2
    assert all(r["authorized"] and r["app"] == "TA-trustar"
               for r in server.requests())

    params["api_secret"] = "splunk:trustar:absent"
    result = run_splunk("--validate-arguments",
                        stdin=items_doc("prod", params, server.uri))
    assert result.returncode != 0
    message = ET.fromstring(result.stdout).findtext("message")
    assert "api_secret: no entry 'trustar:absent:'" in message
    assert_no_secret(result.stdout, result.stderr)


def test_input_run_matches_a_jsonl_run_event_for_event(sims, splunkd,
                                                      tmp_path):
    end = data_end()
    sim = sims("--seed", 21, "--count", 3000, "--end", end, "--span", "3d",
               "--clusters", 1, "--cluster-size", 400)
    server = splunkd(SESSION_KEY, {"trustar:key:": API_KEY,
                                   "trustar:secret:": API_SECRET})
    common = sim_settings(sim, start=iso(end - 3 * DAY_MS), window="1d",
                          page_size="500", index="threat",
                          host="itest-host", source="trustar-itest")

    # The reference: a jsonl run of the same stanza, under the same name
    # and with the integration Splunk mode defaults to.
    config = stanza_file(tmp_path / "c.yaml", name="prod",
                         **dict(common, integration="Splunk"))
    reference = run_connector("run", "--config", config,
                              "--state-dir", tmp_path / "jsonl-state")
    assert reference.returncode == 0, reference.stderr
    expected = reference.events()
    assert len(expected) == 3000

    params = {k: v for k, v in common.items() if k != "integration"}
    params.update(api_key="splunk:trustar:key",
                  api_secret="splunk:trustar:secret")
    checkpoint = tmp_path / "modinputs" / "trustar_indicators"
    searches_before = len(sim.searches())
    result = run_splunk(stdin=input_doc("prod", params, server.uri,
                                        checkpoint))
    stderr = result.stderr.decode("utf-8")
    assert result.returncode == 0, stderr
    events = stream_events(result.stdout)
    assert [data for _, data in events] == expected
    for element, data in events:
        assert element.get("stanza") == "trustar_indicators://prod"
        assert element.get("unbroken") == "1"
        assert element.find("done") is not None
        assert element.findtext("time") == \
            f"{epoch_ms(data['last_seen']) / 1000:.3f}"
        assert element.findtext("sourcetype") == "trustar:indicator"
        assert element.findtext("index") == "threat"
        assert element.findtext("host") == "itest-host"
        assert element.findtext("source") == "trustar-itest"

    # Client-Metatag is Splunk; state sits in checkpoint_dir; the session
    # key and the credentials appear nowhere.
    run_requests = sim.requests()[searches_before:]
    assert run_requests
    assert all(r.get("client_metatag") == "Splunk" for r in sim.requests()
               if r["path"].endswith("/indicators/search"))
    assert json.loads((checkpoint / "prod.json").read_text())["stanza"] == \
        "prod"
    assert_level_lines(result.stderr)
    assert_no_secret(result.stdout, stderr)
    assert all(r["authorized"] for r in server.requests())

    # The next run resumes: nothing new, still a well-formed stream.
    again = run_splunk(stdin=input_doc("prod", params, server.uri,
                                       checkpoint))
    assert again.returncode == 0, again.stderr
    assert stream_events(again.stdout) == []


def test_input_stops_reading_at_the_closing_tag(sims, tmp_path):
    end = data_end()
    sim = sims("--seed", 5, "--count", 50, "--end", end, "--span", "1h")
    params = sim_settings(sim, start=iso(end - 2 * HOUR_MS),
                          api_key="env:ITEST_TRUSTAR_KEY")
    env = dict(os.environ, ITEST_TRUSTAR_KEY=API_KEY,
               ITEST_TRUSTAR_SECRET=API_SECRET)
    process = subprocess.Popen([str(CONNECTOR)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env)
    # splunkd may leave stdin open: the run must not wait for EOF.
    process.stdin.write(input_doc("open-stdin", params,
                                  checkpoint_dir=tmp_path / "ckpt"))
    process.stdin.flush()
    # A hang would otherwise block the suite: kill it after a minute.
    watchdog = threading.Timer(60, process.kill)
    watchdog.start()
    try:
        stdout = process.stdout.read()
        stderr = process.stderr.read()
        process.wait()
    finally:
        watchdog.cancel()
        process.stdin.close()
    assert process.returncode == 0, stderr
    assert len(stream_events(stdout)) == 50


def test_input_names_are_sanitized_for_the_state_file(sims, tmp_path):
    end = data_end()
    sim = sims("--seed", 6, "--count", 20, "--end", end, "--span", "1h")
    params = sim_settings(sim, start=iso(end - 2 * HOUR_MS),
                          integration="SOC feed")
    env = {"ITEST_TRUSTAR_KEY": API_KEY, "ITEST_TRUSTAR_SECRET": API_SECRET}
    checkpoint = tmp_path / "ckpt"
    result = run_splunk(stdin=input_doc("../prod feed", params,
                                        checkpoint_dir=checkpoint), env=env)
    assert result.returncode == 0, result.stderr
    events = stream_events(result.stdout)
    assert len(events) == 20
    assert {e.get("stanza") for e, _ in events} == \
        {"trustar_indicators://../prod feed"}
    assert {d["stanza"] for _, d in events} == {"../prod feed"}
    assert {d["integration"] for _, d in events} == {"SOC feed"}
    state_files = [p.name for p in checkpoint.iterdir()
                   if p.suffix == ".json"]
    assert len(state_files) == 1
    assert state_files[0].startswith(".._prod_feed-")
    assert not (tmp_path / "prod feed.json").exists()


def test_input_errors_are_level_lines_on_stderr(sims, tmp_path):
    result = run_splunk(stdin=input_doc("prod", {"page_size": "0"},
                                        checkpoint_dir=tmp_path))
    assert result.returncode == 2
    assert_level_lines(result.stderr)
    lines = result.stderr.decode("utf-8").splitlines()
    assert any("page_size:" in l and
               "input=trustar_indicators://prod" in l for l in lines)
    assert result.stdout == b""

    # A splunk: reference without a reachable splunkd fails cleanly.
    sim = sims("--count", 10)
    params = sim_settings(sim, api_key="splunk:trustar:key")
    unreachable = run_splunk(stdin=input_doc(
        "prod", params, "http://127.0.0.1:9", tmp_path),
        env={"ITEST_TRUSTAR_SECRET": API_SECRET})
    assert unreachable.returncode == 1
    assert b"api_key: cannot read Splunk's secret store" in \
        unreachable.stderr
    assert_no_secret(unreachable.stdout, unreachable.stderr)


def test_no_argument_on_a_terminal_keeps_the_usage_error():
    # A pseudo-terminal on stdin: the CLI, not the Splunk mode, answers.
    import pty
    main, secondary = pty.openpty()
    try:
        completed = subprocess.run([str(CONNECTOR)], stdin=secondary,
                                   capture_output=True, timeout=30,
                                   check=False)
    finally:
        os.close(main)
        os.close(secondary)
    assert completed.returncode == 2
    assert b"subcommand" in completed.stderr.lower()
