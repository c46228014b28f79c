"""Hostile input through the real binary: search pages with every kind of
bad value (a correct event or a counted, logged skip, never a malformed
line), bodies past the size cap (a clear error, not an out-of-memory),
and config files that trip the YAML library."""

import json
import os
import resource
import subprocess
import time

import pytest

from conftest import CONNECTOR, HOUR_MS, iso, sim_settings, stanza_file
from reliability import (assert_level_lines, connector_env, data_end,
                         event_lines, parse_events, read_state, run,
                         start_sim, summary)


def _page(items_json):
    return ('{"items":[' + ",".join(items_json) +
            '],"pageNumber":0,"pageSize":1000,"totalElements":' +
            str(len(items_json)) + ',"hasNext":false}').encode("utf-8")


def _item(value, last_seen, kind="SOFTWARE", extra=""):
    return ('{"indicatorType":' + json.dumps(kind) + ',"value":' + value +
            ',"lastSeen":' + last_seen + extra + '}')


def _pull_page(tmp_path, body):
    """Serves `body` for every search and pulls one window around it."""
    body_file = tmp_path / "page.json"
    body_file.write_bytes(body)
    sim = start_sim(tmp_path / "sim", "--count", 0, "--search-body",
                    body_file)
    try:
        end = data_end()
        config = stanza_file(tmp_path / "c.yaml", **sim_settings(
            sim, start=iso(end - HOUR_MS), window="1d", retries="1",
            timeout="5s"))
        result = run(config, tmp_path / "state")
    finally:
        sim.stop()
    return result, sim, end


def test_hostile_values_become_correct_events_or_counted_skips(tmp_path):
    t = str(data_end() - 1000)
    good = {
        # value JSON -> the indicator the event must carry
        '"evil\\u202etxt.exe"': "evil\u202etxt.exe",
        '"ctl\\u0000\\u0001\\t\\n\\r\\u001f\\u007f end"':
            "ctl\u0000\u0001\t\n\r\u001f\u007f end",
        '"\\u65e5\\u672c\\ud83d\\ude00"': "\u65e5\u672c\U0001F600",
        '"quote\\" back\\\\slash"': 'quote" back\\slash',
        '"lone \\ud800 high"': "lone \ufffd high",
        '"lone \\udc00 low"': "lone \ufffd low",
        '"' + "x" * 20000 + '"': "x" * 20000,
    }
    items = [_item(v, t, extra=',"guid":' + json.dumps(f"g{i}"))
             for i, v in enumerate(good)]
    # Numbers as strings, nulls, unknown type, deep nesting, duplicates:
    items += [
        _item('"as-strings"', '"' + t + '"', extra=',"firstSeen":"5"'),
        _item('"nulls"', t, extra=',"firstSeen":null,"tags":null,'
                                  '"enclaveIds":null,"guid":null'),
        _item('"phone"', t, kind="PHONE_NUMBER"),
        _item('"deep"', t, extra=',"tags":' + "[" * 5000 + "]" * 5000),
        _item('"nan-first-seen"', t, extra=',"firstSeen":NaN'),
    ]
    skipped = [
        _item("null", t),                       # no value
        _item('"no-time"', "null"),             # no lastSeen
        _item('"float-time"', t + ".5"),        # fractional lastSeen
        _item('"neg-time"', "-1"),              # negative lastSeen
        _item('"inf-time"', "Infinity"),        # non-finite lastSeen
        _item('"huge-time"', "1e999"),          # beyond any double
        '{"value":"no-type","lastSeen":' + t + '}',
        '"not an object"',
        "42",
    ]
    raw = (b'{"indicatorType":"SOFTWARE","value":"raw\xc3\x28\xff end",'
           b'"lastSeen":' + t.encode() + b'}')
    body = (b'{"items":[' + b",".join(i.encode() for i in items + skipped) +
            b"," + raw + b'],"hasNext":false}')
    result, sim, _ = _pull_page(tmp_path, body)
    assert result.returncode == 0, result.stderr[-2000:]
    assert_level_lines(result.stderr)
    lines, _ = event_lines(result.stdout)
    events = parse_events(lines)  # valid UTF-8, valid JSON, schema-valid
    by_value = {e["indicator"]: e for e in events}
    for wanted in good.values():
        assert wanted in by_value, repr(wanted[:40])
    assert "raw\ufffd(\ufffd end" in by_value
    for name in ("as-strings", "nulls", "phone", "deep", "nan-first-seen"):
        assert name in by_value, name
    assert by_value["as-strings"]["first_seen"] == iso(5)
    assert "first_seen" not in by_value["nan-first-seen"]
    assert by_value["phone"]["indicator_type"] == "PHONE_NUMBER"
    assert len(events) == len(good) + 5 + 1
    stats = summary(result.stderr)
    assert stats["skipped"] == len(skipped)
    assert stats["replaced_utf8"] >= 3
    warnings = [l for l in result.stderr.split("\n")
                if l.startswith("WARN pager: skipped an item")]
    assert len(warnings) == len(skipped)
    assert read_state(tmp_path / "state") is not None


def test_a_body_over_the_size_cap_is_a_clear_error_not_an_oom(tmp_path):
    """80 MiB answers (compressed on the wire: also a decompression bomb)
    against the 64 MiB cap: one attempt, exit 1, bounded memory."""
    sim = start_sim(tmp_path / "sim", "--count", 0, "--huge-body-mb", 80)
    try:
        config = stanza_file(tmp_path / "c.yaml", **sim_settings(
            sim, start=iso(data_end()), window="1d"))
        out_path = tmp_path / "out"
        err_path = tmp_path / "err"
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            process = subprocess.Popen(
                [str(CONNECTOR), "run", "--config", str(config),
                 "--state-dir", str(tmp_path / "state")],
                env=connector_env(), stdout=out, stderr=err)
            # wait4 gives this child's own peak RSS (KiB).
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            process.wait()  # reaped already; keeps Popen consistent
    finally:
        sim.stop()
    stdout = out_path.read_bytes()
    stderr = err_path.read_bytes()
    stderr = stderr.decode()
    assert process.returncode == 1, stderr
    errors = [l for l in stderr.split("\n") if l.startswith("ERROR")]
    assert len(errors) == 1
    assert "response body over the size cap" in errors[0]
    assert "POST /api/1.3/indicators/search" in errors[0]
    assert stdout == b""
    assert len(sim.searches()) == 1, "a body over the cap was retried"
    # The body is cut at 64 MiB; a sanitizer build adds shadow memory and
    # keeps freed buffers in quarantine.
    limit = 800 if _is_sanitized(CONNECTOR) else 300
    print(f"\npeak RSS {usage.ru_maxrss} KiB")
    assert usage.ru_maxrss < limit * 1024, f"{usage.ru_maxrss} KiB"


def _is_sanitized(binary):
    return b"__asan_init" in binary.read_bytes()


# yaml-cpp 0.7's LoadAll never returns on these (it allocates without
# end); the reader must still answer with a config error, promptly.
@pytest.mark.parametrize("text", [",", ", a: b\n", "itest:\n  a: 1\n---\n,\n"])
def test_a_config_that_trips_yaml_cpp_is_a_config_error(text, tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text(text)
    os.chmod(config, 0o600)

    # A regression would allocate without end: keep it from taking the
    # machine. ASan reserves terabytes of address space for its shadow, so
    # a sanitizer build gets its own RSS limit instead of RLIMIT_AS.
    env = connector_env()
    limit_memory = None
    if _is_sanitized(CONNECTOR):
        env["ASAN_OPTIONS"] = ":".join(
            filter(None, [env.get("ASAN_OPTIONS"), "hard_rss_limit_mb=1024"]))
    else:
        def limit_memory():
            resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    started = time.monotonic()
    try:
        completed = subprocess.run(
            [str(CONNECTOR), "check", "--config", str(config)],
            env=env, capture_output=True, timeout=10,
            preexec_fn=limit_memory, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail("the connector hung on a config file")
    assert time.monotonic() - started < 5
    assert completed.returncode == 2, completed.stderr
    assert completed.stderr.decode().startswith("ERROR config:")


def test_a_newline_in_a_config_value_cannot_start_a_line_of_its_own(
        tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text(
        "itest:\n  integration: x\n"
        "  api_url: http://127.0.0.1:9/api/1.3\n"
        "  token_url: http://127.0.0.1:9/oauth/token\n"
        "  api_key: env:ITEST_TRUSTAR_KEY\n"
        '  api_secret: "file:/nonexistent/a\\nINFO run: finished events=0"\n')
    os.chmod(config, 0o600)
    completed = subprocess.run(
        [str(CONNECTOR), "check", "--config", str(config)],
        env=connector_env(), capture_output=True, timeout=30, check=False)
    assert completed.returncode == 2
    lines = completed.stderr.decode().splitlines()
    assert lines
    for line in lines:
        assert line.startswith(f"ERROR config: {config}:"), line
