"""SshTransport against a real OpenSSH server on loopback."""

from __future__ import annotations

import socket
import stat

import pytest

from oncall_tui.actions.ssh import SSH_FAILED, SshError, SshTransport


@pytest.fixture
def ssh(sshd_server):  # noqa: F811
    return SshTransport(sshd_server.host, ssh_config=sshd_server.ssh_config, connect_timeout=5)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


async def test_write_and_remove_a_file_whose_path_has_spaces(ssh, tmp_path):
    target = tmp_path / "site root" / "it's here.txt"

    await ssh.write_file(str(target), b"hello\nworld\n", mode=0o600)

    assert target.read_bytes() == b"hello\nworld\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in target.parent.iterdir()] == ["it's here.txt"]  # no temp file left

    await ssh.remove_file(str(target))
    assert not target.exists()
    await ssh.remove_file(str(target))  # removing what is already gone is fine


async def test_arguments_reach_the_server_literally(ssh, tmp_path):
    marker = tmp_path / "pwned"
    tricky = ["a b", f"x; touch {marker}", "$(id)", "`id`", "'quoted'", '"dq"', "$HOME", ""]
    lines: list[str] = []

    result = await ssh.run(["printf", "[%s]\\n", *tricky], timeout=15, on_output=lines.append)

    assert result.ok, result.output
    assert lines == [f"[{arg}]" for arg in tricky]
    assert not marker.exists()


async def test_exit_status_and_output_of_a_failing_command(ssh, tmp_path):
    result = await ssh.run(["ls", str(tmp_path / "missing dir")], timeout=15)

    assert result.returncode not in (0, SSH_FAILED)
    assert "missing dir" in result.output
    assert not result.ok


async def test_unreachable_server_is_reported(sshd_server, tmp_path):  # noqa: F811
    ssh = SshTransport(sshd_server.host, ssh_config=sshd_server.ssh_config, port=_closed_port(),
                       connect_timeout=5)

    result = await ssh.run(["true"], timeout=15)
    assert result.returncode == SSH_FAILED
    assert "Connection refused" in result.output

    with pytest.raises(SshError, match=r"could not write '.*file' \(ssh could not connect\)"):
        await ssh.write_file(str(tmp_path / "file"), b"x")


async def test_resolve_shows_who_we_log_in_as_and_where(ssh, sshd_server):  # noqa: F811
    target = await ssh.resolve()

    assert (target.user, target.hostname, target.port) == (sshd_server.user, "127.0.0.1", sshd_server.port)
    assert ssh.description == f"ssh testserver ({sshd_server.user}@127.0.0.1:{sshd_server.port})"


def test_description_names_alias_user_and_address():
    ssh = SshTransport("web-01", user="alice", hostname="203.0.113.10")
    assert ssh.description == "ssh web-01 (alice@203.0.113.10)"


@pytest.mark.parametrize("host", ["-oProxyCommand=touch /tmp/x", "web 01", "web;01", ""])
def test_host_that_ssh_would_misread_is_refused(host):
    with pytest.raises(ValueError, match="not a host name"):
        SshTransport(host)


async def test_relative_remote_path_is_refused_before_connecting():
    ssh = SshTransport("web-01.invalid")
    with pytest.raises(ValueError, match="must be absolute"):
        await ssh.write_file("var/www/x", b"")


async def test_large_binary_file_arrives_intact(ssh, tmp_path):
    data = bytes(range(256)) * 4096  # 1 MiB, every byte value, no trailing newline
    target = tmp_path / "blob.bin"

    await ssh.write_file(str(target), data)

    assert target.read_bytes() == data
    assert oct(target.stat().st_mode & 0o777) == oct(0o644)


async def test_write_that_fails_on_the_server_names_the_path(ssh, tmp_path):
    (tmp_path / "plain file").write_text("not a directory")
    target = tmp_path / "plain file" / "index.html"

    with pytest.raises(SshError) as caught:
        await ssh.write_file(str(target), b"<h1>hi</h1>")

    message = str(caught.value)
    assert message.startswith("ssh testserver (") and repr(str(target)) in message
    assert "(exit status 1)" in message and "cannot create directory" in message
