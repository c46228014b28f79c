"""The packaged app, build/dist/TA-trustar-<version>.spl (built by the
splunk-app target, which .ci/test builds): unpacked into a clean directory,
checked file by file, and its binary run from there with a hostile
LD_LIBRARY_PATH and from a root that holds nothing but glibc."""

import json
import os
import pathlib
import re
import shutil
import stat
import subprocess
import tarfile
import xml.etree.ElementTree as ET

import pytest

from conftest import (API_KEY, API_SECRET, BIN_DIR, CONNECTOR, DAY_MS, ROOT,
                      iso, run_connector, sim_settings, stanza_file)
from test_splunk_input import (data_end, input_doc, items_doc, run_splunk,
                               stream_events)

VERSION = subprocess.run([str(CONNECTOR), "--version"], capture_output=True,
                         text=True, check=False).stdout.split()[-1]
SPL = BIN_DIR.parent / "dist" / f"TA-trustar-{VERSION}.spl"
APP_BINARY = "TA-trustar/linux_x86_64/bin/trustar_indicators"

pytestmark = pytest.mark.skipif(
    not SPL.exists(),
    reason=f"{SPL} is missing: build it with "
           "`cmake --build <build> --target splunk-app` (.ci/test does)")

REQUIRED_FILES = [
    "TA-trustar/README.md",
    "TA-trustar/README/inputs.conf.spec",
    "TA-trustar/default/app.conf",
    "TA-trustar/default/inputs.conf",
    "TA-trustar/default/props.conf",
    "TA-trustar/default/macros.conf",
    "TA-trustar/default/savedsearches.conf",
    "TA-trustar/default/data/ui/views/trustar_overview.xml",
    "TA-trustar/default/data/ui/nav/default.xml",
    "TA-trustar/metadata/default.meta",
    APP_BINARY,
]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The .spl unpacked into a fresh directory; returns that directory."""
    target = tmp_path_factory.mktemp("unpacked")
    with tarfile.open(SPL, "r:gz") as archive:
        archive.extractall(target)
    return target


def conf(path):
    """A Splunk .conf file as {stanza: {key: value}}: '#' comments, a
    trailing backslash continues a value, duplicates are refused."""
    stanzas = {"": {}}
    current = stanzas[""]
    pending = None
    for raw in pathlib.Path(path).read_text(encoding="utf-8").splitlines():
        if pending is not None:
            key, value = pending
            line = raw
        else:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("[") and line.endswith("]"):
                name = line[1:-1]
                assert name not in stanzas or name == "", f"duplicate {name}"
                current = stanzas.setdefault(name, {})
                continue
            assert "=" in line, f"{path}: not a setting: {raw!r}"
            key, _, line = line.partition("=")
            key, line, value = key.strip(), line.strip(), ""
            assert key not in current, f"{path}: duplicate {key}"
        if line.endswith("\\"):
            pending = (key, value + line[:-1] + "\n")
            continue
        current[key] = (value + line).strip()
        pending = None
    assert pending is None, f"{path}: ends inside a continued value"
    return stanzas


def is_elf(path):
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


def test_archive_layout_owners_and_modes():
    with tarfile.open(SPL, "r:gz") as archive:
        members = archive.getmembers()
    names = [m.name for m in members]
    assert {n.split("/")[0] for n in names} == {"TA-trustar"}
    for required in REQUIRED_FILES:
        assert required in names
    for member in members:
        parts = member.name.split("/")
        assert not any(p.startswith(".") for p in parts), member.name
        assert parts[1:2] != ["local"], member.name
        assert member.name != "TA-trustar/metadata/local.meta"
        assert member.isdir() or member.isfile(), member.name
        assert (member.uid, member.gid) == (0, 0)
        if member.isdir():
            expected = 0o755
        elif "/bin/" in member.name:
            expected = 0o755
        else:
            expected = 0o644
        assert member.mode & 0o7777 == expected, member.name


def test_app_conf_names_the_package_and_version(app):
    app_conf = conf(app / "TA-trustar/default/app.conf")
    assert app_conf["package"]["id"] == "TA-trustar"
    assert app_conf["id"]["name"] == "TA-trustar"
    assert app_conf["id"]["version"] == VERSION
    assert app_conf["launcher"]["version"] == VERSION
    assert re.fullmatch(r"\d+\.\d+\.\d+", VERSION)
    assert len(app_conf["launcher"]["description"]) <= 200
    assert app_conf["install"]["is_configured"] == "false"


def test_inputs_props_and_searches(app):
    default = app / "TA-trustar/default"
    inputs = conf(default / "inputs.conf")
    with open(ROOT / "schemas" / "stanza.schema.json", encoding="utf-8") as f:
        schema_default = json.load(f)["properties"]["sourcetype"]["default"]
    assert inputs["trustar_indicators"]["sourcetype"] == schema_default
    assert inputs["trustar_indicators"]["start_by_shell"] == "false"
    assert int(inputs["trustar_indicators"]["interval"]) > 0
    examples = [s for s in inputs
                if s.startswith("trustar_indicators://")]
    assert examples
    for example in examples:
        assert inputs[example]["disabled"] == "1"

    props = conf(default / "props.conf")["trustar:indicator"]
    assert props["KV_MODE"] == "json"
    assert props["SHOULD_LINEMERGE"] == "false"
    assert props["DATETIME_CONFIG"] == "NONE"
    assert "INDEXED_EXTRACTIONS" not in props

    searches = conf(default / "savedsearches.conf")
    collections = set()
    for name in [n for n in searches if n]:
        assert searches[name]["disabled"] == "1", name
        found = re.search(r"outputlookup .* (\w+_intel)$",
                          searches[name]["search"])
        assert found, name
        collections.add(found.group(1))
    assert collections == {"ip_intel", "http_intel", "file_intel",
                           "email_intel", "registry_intel"}

    ET.parse(default / "data/ui/views/trustar_overview.xml")
    ET.parse(default / "data/ui/nav/default.xml")
    meta = conf(app / "TA-trustar/metadata/default.meta")
    assert "access" in meta[""]


def test_spec_is_the_binary_s_own(app):
    spec = (app / "TA-trustar/README/inputs.conf.spec").read_bytes()
    assert spec == run_splunk("--splunk-spec").stdout
    assert spec.count(b"\n") > 30


def test_every_binary_is_declared_and_only_bin_is_executable(app):
    readme = (app / "TA-trustar/README.md").read_text(encoding="utf-8")
    assert "# Binary File Declaration" in readme
    declared = readme.split("# Binary File Declaration", 1)[1]
    root = app / "TA-trustar"
    elves = [p for p in root.rglob("*") if p.is_file() and is_elf(p)]
    assert len(elves) > 1
    for path in elves:
        relative = path.relative_to(root).as_posix()
        assert f"`{relative}`" in declared, relative
        executable = path.stat().st_mode & stat.S_IXUSR
        assert bool(executable) == (path.parent.name == "bin"), relative
    # No glibc copy travels with the app: the host's is used.
    libs = {p.name for p in (root / "linux_x86_64/lib").iterdir()}
    assert not {"libc.so.6", "libm.so.6", "ld-linux-x86-64.so.2"} & libs
    assert "libcurl.so.4" in libs


def hostile_library_dir(app, tmp_path):
    """A directory holding a broken file under the name of every library
    the app carries, as a stand-in for Splunk's own lib folder."""
    hostile = tmp_path / "splunk-lib"
    hostile.mkdir()
    for lib in (app / "TA-trustar/linux_x86_64/lib").iterdir():
        (hostile / lib.name).write_bytes(b"not a library\n")
    return hostile


def test_scheme_runs_under_a_hostile_library_path(app, tmp_path):
    hostile = hostile_library_dir(app, tmp_path)
    result = run_splunk("--scheme", binary=app / APP_BINARY,
                        env={"LD_LIBRARY_PATH": str(hostile)})
    assert result.returncode == 0, result.stderr
    assert result.stdout == run_splunk("--scheme").stdout


def test_unpacked_input_matches_a_jsonl_run(app, sims, tmp_path):
    end = data_end()
    sim = sims("--seed", 31, "--count", 1500, "--end", end, "--span", "2d")
    common = sim_settings(sim, start=iso(end - 2 * DAY_MS), window="1d",
                          integration="Splunk")
    config = stanza_file(tmp_path / "c.yaml", name="app", **common)
    reference = run_connector("run", "--config", config,
                              "--state-dir", tmp_path / "jsonl")
    assert reference.returncode == 0, reference.stderr
    expected = reference.events()
    assert len(expected) == 1500

    hostile = hostile_library_dir(app, tmp_path)
    result = run_splunk(
        stdin=input_doc("app", common, checkpoint_dir=tmp_path / "ckpt"),
        binary=app / APP_BINARY,
        env={"LD_LIBRARY_PATH": str(hostile),
             "ITEST_TRUSTAR_KEY": API_KEY, "ITEST_TRUSTAR_SECRET": API_SECRET})
    assert result.returncode == 0, result.stderr
    assert [data for _, data in stream_events(result.stdout)] == expected


def glibc_only_root(app, tmp_path):
    """A root directory with Debian's libc6 files and the app, nothing else:
    no libcurl, OpenSSL, libstdc++ or any -dev package."""
    root = tmp_path / "root"
    listing = subprocess.run(["dpkg", "-L", "libc6"], capture_output=True,
                             text=True, check=True).stdout.split()
    for name in listing:
        source = pathlib.Path(name)
        if ".so" not in source.name or not source.is_file():
            continue
        target = root / name.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
    for merged in ("lib", "lib64"):
        if not (root / merged).exists() and (root / "usr" / merged).exists():
            (root / merged).symlink_to(f"usr/{merged}")
    (root / "proc").mkdir(exist_ok=True)
    (root / "tmp").mkdir(exist_ok=True)
    shutil.copytree(app / "TA-trustar", root / "opt/TA-trustar",
                    symlinks=True)
    return root


def run_in_root(root, args, stdin=b"", env=None):
    """Runs inside `root` in private mount and PID namespaces, with /proc
    mounted there (the loader needs it to resolve $ORIGIN)."""
    command = ["unshare", "--mount", "--pid", "--fork", f"--root={root}",
               "--mount-proc=/proc"] + args
    return subprocess.run(command, input=stdin, capture_output=True,
                          timeout=300, check=False,
                          env=dict({"PATH": "/usr/bin:/bin"}, **(env or {})))


def test_binary_runs_in_a_root_holding_only_glibc(app, sims, tmp_path):
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root and unshare(1) to build a glibc-only root")
    root = glibc_only_root(app, tmp_path)
    binary = "/opt/TA-trustar/linux_x86_64/bin/trustar_indicators"
    probe = run_in_root(root, [binary, "--scheme"])
    if probe.returncode != 0 and b"unshare:" in probe.stderr:
        pytest.skip("namespaces unavailable here: " +
                    probe.stderr.decode("utf-8", "replace").strip())
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout == run_splunk("--scheme").stdout

    good = {"api_key": "k", "api_secret": "s", "window": "1h"}
    assert run_in_root(root, [binary, "--validate-arguments"],
                       stdin=items_doc("prod", good)).returncode == 0

    # A real pull over loopback from inside that root.
    end = data_end()
    sim = sims("--seed", 41, "--count", 200, "--end", end, "--span", "1d")
    params = sim_settings(sim, start=iso(end - DAY_MS))
    result = run_in_root(
        root, [binary],
        stdin=input_doc("chroot", params, checkpoint_dir="/tmp/ckpt"),
        env={"ITEST_TRUSTAR_KEY": API_KEY, "ITEST_TRUSTAR_SECRET": API_SECRET})
    assert result.returncode == 0, result.stderr
    assert len(stream_events(result.stdout)) == 200
