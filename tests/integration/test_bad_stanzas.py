"""The bad-stanza catalogue through the real binary: exit status 2, one
ERROR line per problem naming file, position and key, stdout untouched,
and no secret value anywhere."""

import pathlib
import re

import pytest

from conftest import ROOT, run_connector

BAD = ROOT / "tests" / "fixtures" / "stanzas" / "bad"
SECRETS = ("SECRET-VALUE", "SECRET-ENV-VALUE-env789")
ENV = {"TRUSTAR_TEST_KEY": "SECRET-ENV-VALUE-env789",
       "TRUSTAR_TEST_EMPTY": ""}


def fixtures():
    return sorted(BAD.iterdir())


def header(path):
    lines = path.read_bytes().split(b"\n")
    expect = re.match(rb"# expect: (\S+) (.+)", lines[0])
    stanza = None
    for line in lines[1:]:
        if not line.startswith(b"#"):
            break
        match = re.match(rb"# stanza: (\S+)", line)
        if match:
            stanza = match.group(1).decode()
    return expect.group(1).decode(), expect.group(2).decode(), stanza


def test_the_catalogue_holds_at_least_forty_cases():
    assert len(fixtures()) >= 40


@pytest.mark.parametrize("fixture", fixtures(), ids=lambda p: p.stem)
def test_bad_stanza_is_refused_with_a_reason(fixture, tmp_path):
    key, wanted, stanza = header(fixture)
    args = ["run", "--config", fixture, "--state-dir", tmp_path / "state"]
    if stanza:
        args += ["--stanza", stanza]
    env = dict(ENV)
    env.pop("TRUSTAR_TEST_UNSET", None)
    result = run_connector(*args, env=env)
    assert result.returncode == 2, result.stderr
    assert result.stdout == b""
    lines = result.stderr_lines()
    assert lines
    errors = [line for line in lines if line.startswith("ERROR ")]
    assert errors and all(re.match(r"^(ERROR|WARN) ", l) for l in lines)
    text = "\n".join(errors)
    assert wanted in text
    if key != "-":
        assert any(re.search(rf":\d+:\d+: {re.escape(key)}: ", line)
                   for line in errors), text
    assert str(fixture) in text or fixture.name in text
    for secret in SECRETS:
        assert secret not in result.stderr
    assert not (tmp_path / "state").exists()


def test_readme_settings_table_is_the_schemas_output():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    begin = readme.index("<!-- settings:begin -->\n") + len(
        "<!-- settings:begin -->\n")
    end = readme.index("<!-- settings:end -->")
    result = run_connector("settings")
    assert result.returncode == 0
    assert readme[begin:end] == result.stdout.decode("utf-8")
