"""End-to-end pulls: the real connector against trustar-sim, compared with
the simulator's ground truth."""

import collections
import json
import time

from conftest import data_end
from conftest import (API_KEY, API_SECRET, DAY_MS, HOUR_MS, assert_log_lines,
                      iso, run_connector, sim_settings, stanza_file,
                      truth_versions, versions)



def test_full_pull_is_complete_and_duplicate_free(sims, tmp_path):
    end = data_end()
    span = 10 * DAY_MS
    sim = sims("--seed", 7, "--count", 30000, "--end", end, "--span", "10d",
               "--clusters", 3, "--cluster-size", 1500)
    config = stanza_file(tmp_path / "c.yaml", **sim_settings(
        sim, start=iso(end - span), window="1d"))
    result = run_connector("run", "--config", config,
                           "--state-dir", tmp_path / "state")
    assert result.returncode == 0, result.stderr
    assert_log_lines(result)
    events = result.events()
    sim.stop()

    got = versions(events)
    assert len(got) == len(set(got)), "an indicator version was emitted twice"
    assert set(got) == truth_versions(sim.truth(), end - span, end)
    assert len(got) == 30000

    # Every request carried the integration name as Client-Metatag.
    requests = sim.requests()
    assert requests
    assert all(r.get("client_metatag") == "itest-metatag" for r in requests)
    assert all(r.get("client_type") == "API" for r in requests)


def test_windows_neither_overlap_nor_leave_gaps(sims, tmp_path):
    end = data_end()
    sim = sims("--seed", 3, "--count", 5000, "--end", end, "--span", "3d")
    config = stanza_file(tmp_path / "c.yaml", **sim_settings(
        sim, start=iso(end - 3 * DAY_MS), window="7h"))
    state_dir = tmp_path / "state"
    result = run_connector("run", "--config", config, "--state-dir", state_dir)
    assert result.returncode == 0, result.stderr
    windows = result.windows()
    assert len(windows) >= 10
    assert windows[0][0] == iso(end - 3 * DAY_MS)
    for (_, to), (next_from, _) in zip(windows, windows[1:]):
        assert _parse(next_from) == _parse(to) + 1
    state = json.loads((state_dir / "itest.json").read_text())
    assert state["next_from"] == _parse(windows[-1][1]) + 1

    # The queries sent say the same: every window's start was queried, and
    # no query reaches outside the window it belongs to.
    bounds = [(_parse(f), _parse(t)) for f, t in windows]
    queried = [(int(r["query"]["from"]), int(r["query"]["to"]))
               for r in sim.searches()]
    assert {lo for lo, _ in bounds} <= {lo for lo, _ in queried}
    for lo, hi in queried:
        assert any(w_lo <= lo <= hi <= w_hi for w_lo, w_hi in bounds)


def test_window_with_more_than_ten_thousand_results(sims, tmp_path):
    end = data_end()
    sim = sims("--seed", 11, "--count", 25000, "--end", end, "--span", "20h",
               "--clusters", 2, "--cluster-size", 1200)
    config = stanza_file(tmp_path / "c.yaml", **sim_settings(
        sim, start=iso(end - 20 * HOUR_MS), window="1d"))
    result = run_connector("run", "--config", config,
                           "--state-dir", tmp_path / "state")
    assert result.returncode == 0, result.stderr
    events = result.events()
    sim.stop()
    got = versions(events)
    assert len(got) == len(set(got)) == 25000
    assert set(got) == truth_versions(sim.truth(), end - 20 * HOUR_MS, end)
    for request in sim.searches():
        query = request["query"]
        assert int(query["pageNumber"]) * int(query["pageSize"]) < 10000
        assert request["status"] == 200
    # Call economy: close to the minimum of 25 full pages.
    assert len(sim.searches()) <= 30


def test_ties_on_window_edges(sims, tmp_path):
    base = data_end() - 2 * DAY_MS
    items = []

    def add(prefix, last_seen, count):
        for i in range(count):
            items.append({"indicatorType": "IP",
                          "value": f"10.{len(items) // 65536 % 256}."
                                   f"{len(items) // 256 % 256}."
                                   f"{len(items) % 256}",
                          "firstSeen": last_seen - 1000,
                          "lastSeen": last_seen})

    # Windows of one hour from `base`: clusters on the first and last
    # millisecond of windows, one larger than a page, and a lone item on
    # each side of a boundary.
    add("a", base, 1200)
    add("b", base + HOUR_MS - 1, 1500)
    add("c", base + HOUR_MS, 7)
    add("d", base + 2 * HOUR_MS - 1, 1)
    add("e", base + 2 * HOUR_MS, 2500)
    add("f", base + 3 * HOUR_MS + 5, 3)
    data = tmp_path / "data.json"
    data.write_text(json.dumps(items))
    sim = sims("--data", data)
    config = stanza_file(tmp_path / "c.yaml", **sim_settings(
        sim, start=iso(base), window="1h", page_size="1000"))
    result = run_connector("run", "--config", config,
                           "--state-dir", tmp_path / "state")
    assert result.returncode == 0, result.stderr
    got = versions(result.events())
    assert len(got) == len(set(got)) == len(items)
    assert set(got) == {(f"IP|{i['value']}", iso(i["lastSeen"]))
                        for i in items}


def test_resightings_during_paging_lose_and_repeat_nothing(sims, tmp_path):
    end = data_end()
    span = 5 * DAY_MS
    sim = sims("--seed", 5, "--count", 20000, "--end", end, "--span", "5d",
               "--clusters", 2, "--cluster-size", 1500,
               "--resight-every", 1, "--resight-max", 30)
    config = stanza_file(tmp_path / "c.yaml", **sim_settings(
        sim, start=iso(end - span), window="1d", page_size="500"))
    state = tmp_path / "state"
    first = run_connector("run", "--config", config, "--state-dir", state)
    assert first.returncode == 0, first.stderr
    time.sleep(0.05)
    second = run_connector("run", "--config", config, "--state-dir", state)
    assert second.returncode == 0, second.stderr
    sim.stop()
    truth = sim.truth()
    resighted = [t for t in truth if not t["current"]]
    # All 30 re-sightings happen during the first run (it makes over 40
    # searches), so the second run must pick up every newest version.
    assert len(resighted) == 30
    # Items re-sighted out of a window before they were read make it yield
    # fewer than announced; the connector says so.
    assert "fewer indicators than the API reported" in first.stderr

    got = versions(first.events()) + versions(second.events())
    assert len(got) == len(set(got)), "a version was emitted twice"
    every_version = {(t["guid"], iso(t["lastSeen"])) for t in truth}
    unknown = set(got) - every_version
    assert not unknown, sorted(unknown)[:5]
    # Every indicator's newest version arrived (the re-sighted ones in the
    # second run at the latest).
    newest = {(t["guid"], iso(t["lastSeen"])) for t in truth if t["current"]}
    missing = newest - set(got)
    assert not missing, sorted(missing)[:5]


def test_api_1_2_sends_seconds_and_stays_complete(sims, tmp_path):
    end = data_end()
    span = 2 * DAY_MS
    sim = sims("--seed", 9, "--count", 6000, "--end", end, "--span", "2d",
               "--clusters", 1, "--cluster-size", 1200)
    start = (end - span) // 1000 * 1000
    config = stanza_file(tmp_path / "c.yaml", **sim_settings(
        sim, version="1.2", start=iso(start), window="5h"))
    result = run_connector("run", "--config", config,
                           "--state-dir", tmp_path / "state")
    assert result.returncode == 0, result.stderr
    events = result.events()
    sim.stop()
    got = versions(events)
    assert len(got) == len(set(got))
    assert set(got) == truth_versions(sim.truth(), start, end)
    searches = sim.searches()
    assert all(r["path"].startswith("/api/1.2/") for r in searches)
    for request in searches:
        assert len(request["query"]["from"]) <= 10  # Seconds, not ms.
        assert len(request["query"]["to"]) <= 10
    windows = result.windows()
    for (_, to), (next_from, _) in zip(windows, windows[1:]):
        assert _parse(to) % 1000 == 999
        assert _parse(next_from) % 1000 == 0
        assert _parse(next_from) == _parse(to) + 1


def test_consecutive_runs_resume_from_the_checkpoint(sims, tmp_path):
    end = data_end()
    span = 4 * DAY_MS
    sim = sims("--seed", 21, "--count", 8000, "--end", end, "--span", "4d")
    state = tmp_path / "state"
    common = sim_settings(sim, start=iso(end - span), window="1d")
    # The first run stops two days short of now, the second catches up.
    first_config = stanza_file(tmp_path / "c1.yaml",
                               **dict(common, lag="2d"))
    second_config = stanza_file(tmp_path / "c2.yaml", **common)
    first = run_connector("run", "--config", first_config,
                          "--state-dir", state)
    assert first.returncode == 0, first.stderr
    checkpoint = json.loads((state / "itest.json").read_text())["next_from"]
    second = run_connector("run", "--config", second_config,
                           "--state-dir", state)
    assert second.returncode == 0, second.stderr
    third = run_connector("run", "--config", second_config,
                          "--state-dir", state)
    assert third.returncode == 0, third.stderr
    sim.stop()

    first_events = versions(first.events())
    second_events = versions(second.events())
    assert first_events and second_events
    assert max(_parse(e[1]) for e in first_events) < checkpoint
    assert min(_parse(e[1]) for e in second_events) >= checkpoint
    got = first_events + second_events + versions(third.events())
    assert len(got) == len(set(got))
    assert set(got) == truth_versions(sim.truth(), end - span, end)
    assert second.windows()[0][0] == iso(checkpoint)


def test_expired_tokens_and_rate_limits_mid_paging(sims, tmp_path):
    end = data_end()
    sim = sims("--seed", 13, "--count", 12000, "--end", end, "--span", "2d",
               "--expire-every", 4, "--faults", "429", "--fault-rate", "0.25",
               "--fault-seed", 4, "--wait-ms", 20)
    config = stanza_file(tmp_path / "c.yaml", **sim_settings(
        sim, start=iso(end - 2 * DAY_MS), window="12h"))
    result = run_connector("run", "--config", config,
                           "--state-dir", tmp_path / "state")
    assert result.returncode == 0, result.stderr
    events = result.events()
    sim.stop()
    got = versions(events)
    assert len(got) == len(set(got))
    assert set(got) == truth_versions(sim.truth(), end - 2 * DAY_MS, end)
    statuses = collections.Counter(r["status"] for r in sim.requests())
    assert statuses[429] > 0 and statuses[400] > 0
    assert "rate limited" in result.stderr


def test_no_secret_reaches_any_output(sims, tmp_path):
    end = data_end()
    sim = sims("--seed", 1, "--count", 2000, "--end", end, "--span", "1d",
               "--expire-every", 3)
    state = tmp_path / "state"
    config = stanza_file(tmp_path / "c.yaml", **sim_settings(
        sim, start=iso(end - DAY_MS), window="6h", log_level="debug"))
    result = run_connector("run", "--config", config, "--state-dir", state,
                           "--log-level", "debug")
    assert result.returncode == 0, result.stderr
    check = run_connector("check", "--config", config, "--state-dir", state)
    assert check.returncode == 0, check.stderr
    # The simulator hands out the same token while it is valid: ask for it
    # to learn the bearer token the connector used.
    import base64
    import urllib.request
    request = urllib.request.Request(
        f"{sim.base}/oauth/token", data=b"grant_type=client_credentials",
        headers={"Authorization": "Basic " + base64.b64encode(
            f"{API_KEY}:{API_SECRET}".encode()).decode()})
    with urllib.request.urlopen(request, timeout=10) as answer:
        token = json.load(answer)["access_token"]
    basic = base64.b64encode(f"{API_KEY}:{API_SECRET}".encode()).decode()
    outputs = [result.stdout.decode(), result.stderr, check.stdout.decode(),
               check.stderr]
    outputs += [p.read_text() for p in state.iterdir() if p.is_file()]
    for text in outputs:
        for secret in (API_KEY, API_SECRET, basic, token):
            assert secret not in text


def test_check_reports_and_fails_on_bad_credentials(sims, tmp_path):
    sim = sims("--count", 10)
    config = stanza_file(tmp_path / "c.yaml", **sim_settings(sim))
    good = run_connector("check", "--config", config,
                         "--state-dir", tmp_path / "state")
    assert good.returncode == 0, good.stderr
    report = good.stdout.decode()
    assert "token:   OK" in report and "api:     OK" in report
    assert "search:  OK" in report and "state:   OK" in report
    # A state directory a run could not write fails the check, not the run.
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    unwritable = run_connector("check", "--config", config,
                               "--state-dir", blocker / "state")
    assert unwritable.returncode == 1
    assert "ERROR check: cannot create state directory" in unwritable.stderr
    bad = run_connector("check", "--config", config, env={
        "ITEST_TRUSTAR_SECRET": "wrong-secret-value"})
    assert bad.returncode == 1
    assert "refused the credentials" in bad.stderr
    assert "wrong-secret-value" not in bad.stderr + bad.stdout.decode()


def test_a_second_run_of_a_stanza_is_refused_while_one_holds_the_lock(
        sims, tmp_path):
    from conftest import hold_lock
    sim = sims("--count", 10)
    state = tmp_path / "state"
    state.mkdir()
    config = stanza_file(tmp_path / "c.yaml", **sim_settings(sim))
    lock = hold_lock(state / "itest.lock")
    try:
        result = run_connector("run", "--config", config, "--state-dir", state)
    finally:
        lock.close()
    assert result.returncode == 1
    assert "another run of stanza 'itest'" in result.stderr
    assert result.stdout == b""
    assert not (state / "itest.json").exists()


def test_usage_errors_exit_2_with_one_line(tmp_path):
    for args in (["run"], ["frobnicate"], ["run", "--config"],
                 ["run", "--config", tmp_path / "missing.yaml"],
                 ["run", "--config", tmp_path / "x", "--log-level", "loud"]):
        result = run_connector(*args)
        assert result.returncode == 2, args
        assert result.stdout == b""
        lines = result.stderr_lines()
        assert lines and all(line.startswith("ERROR ") for line in lines)
    assert run_connector("--version").returncode == 0
    assert run_connector("--help").returncode == 0


def _parse(text):
    """Milliseconds since the epoch of an RFC 3339 UTC time."""
    from datetime import datetime, timezone
    moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=timezone.utc)
    whole_seconds = int(moment.replace(microsecond=0).timestamp())
    return whole_seconds * 1000 + moment.microsecond // 1000


def test_enrich_adds_tags_enclaves_and_sightings_with_one_call_per_page(
        sims, tmp_path):
    base = data_end() - DAY_MS
    enclave = "123456789"  # All digits: must stay a string end to end.
    items = [{"indicatorType": "IP", "value": f"192.0.2.{i}",
              "firstSeen": base - 5000, "lastSeen": base + i * 1000,
              "enclaveIds": [enclave], "tags": ["phishing", f"t{i % 3}"]}
             for i in range(250)]
    data = tmp_path / "data.json"
    data.write_text(json.dumps(items))
    sim = sims("--data", data)
    config = stanza_file(tmp_path / "c.yaml", **sim_settings(
        sim, start=iso(base), window="1d", page_size="100",
        enrich="true", enclave_ids=[enclave]))
    result = run_connector("run", "--config", config,
                           "--state-dir", tmp_path / "state")
    assert result.returncode == 0, result.stderr
    events = result.events()
    assert len(events) == 250
    for event in events:
        i = int(event["indicator"].rsplit(".", 1)[1])
        assert event["enclave_ids"] == [enclave]
        assert sorted(event["tags"]) == sorted(["phishing", f"t{i % 3}"])
        assert event["sightings"] >= 1
    requests = sim.requests()
    searches = [r for r in requests if r["path"].endswith("/search")]
    metadata = [r for r in requests if r["path"].endswith("/metadata")]
    pages_with_items = [r for r in searches if r.get("items")]
    assert len(metadata) == len(pages_with_items)
    assert all(r["query"].get("enclaveIds") == enclave for r in metadata)
