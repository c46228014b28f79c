"""`backfill`: call economy, resumability, pacing and isolation from the
scheduled checkpoint, against trustar-sim's request log and truth."""

import collections
import json
import math
import os
import signal
import subprocess
import time

from conftest import data_end
from conftest import (API_KEY, API_SECRET, CONNECTOR, DAY_MS, HOUR_MS, iso,
                      run_connector, sim_settings, stanza_file,
                      truth_versions, versions)



def test_backfill_is_complete_with_near_minimal_calls(sims, tmp_path):
    end = data_end()
    start = end - 364 * DAY_MS
    # Skewed: three dense clusters of 1,500 in one millisecond each, the
    # rest spread over a year.
    sim = sims("--seed", 17, "--count", 60000, "--end", end, "--span",
               "364d", "--clusters", 3, "--cluster-size", 1500)
    config = stanza_file(tmp_path / "c.yaml", **sim_settings(sim))
    state = tmp_path / "state"
    result = run_connector("backfill", "--config", config, "--state-dir",
                           state, "--from", iso(start), "--to", iso(end))
    assert result.returncode == 0, result.stderr
    events = result.events()
    sim.stop()
    got = versions(events)
    assert len(got) == len(set(got)) == 60000
    assert set(got) == truth_versions(sim.truth(), start, end)

    searches = len(sim.searches())
    minimum = math.ceil(60000 / 1000)
    assert searches <= 1.1 * minimum + 1, searches
    summary = [l for l in result.stderr_lines() if "backfill: finished" in l]
    assert summary and "indicators=60000" in summary[0]
    assert "rate_limited=0" in summary[0]
    # The scheduled run's checkpoint is neither created nor touched.
    assert not (state / "itest.json").exists()


def test_backfill_dry_run_plans_without_events(sims, tmp_path):
    end = data_end()
    sim = sims("--seed", 2, "--count", 5000, "--end", end, "--span", "30d")
    config = stanza_file(tmp_path / "c.yaml", **sim_settings(sim))
    result = run_connector("backfill", "--config", config, "--state-dir",
                           tmp_path / "state", "--from",
                           iso(end - 30 * DAY_MS), "--to", iso(end),
                           "--dry-run")
    assert result.returncode == 0, result.stderr
    plan = result.stdout.decode()
    assert "5000 indicators" in plan and "calls" in plan
    assert '"event_id"' not in plan
    assert all(r["query"]["pageSize"] == "1" for r in sim.searches())
    assert not (tmp_path / "state").exists()


def test_killed_backfill_resumes_and_loses_nothing(sims, tmp_path):
    end = data_end()
    start = end - 200 * DAY_MS
    sim = sims("--seed", 23, "--count", 150000, "--end", end, "--span",
               "200d")
    config = stanza_file(tmp_path / "c.yaml", **sim_settings(
        sim, requests_per_minute="1500"))
    state = tmp_path / "state"
    args = ["backfill", "--config", str(config), "--state-dir", str(state),
            "--from", iso(start), "--to", iso(end)]
    env = dict(os.environ, ITEST_TRUSTAR_KEY=API_KEY,
               ITEST_TRUSTAR_SECRET=API_SECRET)
    first_out = tmp_path / "first.jsonl"
    with open(first_out, "wb") as out:
        process = subprocess.Popen([str(CONNECTOR)] + args, stdout=out,
                                   stderr=subprocess.DEVNULL, env=env)
        time.sleep(3)  # About half of the ~150 paced calls.
        process.send_signal(signal.SIGKILL)
        process.wait()
    second = run_connector(*args)
    assert second.returncode == 0, second.stderr
    assert "resuming a window mid-way" in second.stderr
    sim.stop()

    first = [tuple(json.loads(l)[k] for k in ("guid", "last_seen"))
             for l in first_out.read_bytes().splitlines()
             if l.endswith(b"}")]
    resumed = versions(second.events())
    assert first and resumed
    assert set(first) | set(resumed) == truth_versions(sim.truth(), start,
                                                       end)
    # Repeats are confined to what was read after the last saved position:
    # a few pages at most, never the whole range.
    repeats = set(first) & set(resumed)
    assert len(repeats) <= 10 * 1000


def test_pacing_keeps_a_rate_limited_server_from_answering_429(sims,
                                                               tmp_path):
    end = data_end()
    rate = 600
    sim = sims("--seed", 4, "--count", 59000, "--end", end, "--span", "90d",
               "--rate-limit", rate)
    config = stanza_file(tmp_path / "c.yaml", **sim_settings(
        sim, requests_per_minute=str(rate)))
    started = time.monotonic()
    result = run_connector("backfill", "--config", config, "--state-dir",
                           tmp_path / "state", "--from",
                           iso(end - 90 * DAY_MS), "--to", iso(end))
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    requests = sim.requests()
    statuses = collections.Counter(r["status"] for r in requests)
    assert statuses[429] == 0
    # No slower than the same calls at exactly the rate, within 5%.
    at_rate = (len(requests) - 1) * 60.0 / rate
    assert elapsed <= at_rate * 1.05 + 1.0, (elapsed, at_rate)


def test_backfill_refuses_a_backwards_or_future_range(tmp_path):
    config = stanza_file(tmp_path / "c.yaml", integration="x",
                         api_key="env:ITEST_TRUSTAR_KEY",
                         api_secret="env:ITEST_TRUSTAR_SECRET")
    backwards = run_connector("backfill", "--config", config, "--from",
                              "2024-05-02T00:00:00Z", "--to",
                              "2024-05-01T00:00:00Z")
    assert backwards.returncode == 2
    assert "is after --to" in backwards.stderr
    future = run_connector("backfill", "--config", config, "--from", "-1d",
                           "--to", "2999-01-01T00:00:00Z")
    assert future.returncode == 2
    bare = run_connector("backfill", "--config", config, "--from",
                         "1714521600")
    assert bare.returncode == 2
    assert "--from" in bare.stderr
