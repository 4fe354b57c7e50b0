"""The README's two set-up commands are the ones CI and users actually run."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_test_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = "devtools/test"
    assert f"\n{command}\n" in readme
    assert ci.rstrip().endswith(command)


def test_the_test_command_installs_every_server_the_tests_start():
    script = (ROOT / "devtools" / "test").read_text(encoding="utf-8")
    for package in ("pebble", "openssh-server", "python3-venv", "postgresql"):
        assert package in script
    assert "install-rt.sh" in script and "pytest" in script


def test_readme_has_exactly_two_setup_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Set up", 1)[1].split("\n## ", 1)[0]
    blocks = section.split("```sh\n")[1:]
    commands = [b.split("```", 1)[0].strip() for b in blocks]
    assert commands == ["pip install . && oncall demo", "devtools/test"]
