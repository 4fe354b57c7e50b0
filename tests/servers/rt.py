"""A real Request Tracker 5 on loopback, for tests of the RT connector.

RT comes from Debian's `request-tracker5` + `rt5-standalone` + `rt5-db-sqlite`,
installed by `.ci/install-rt.sh` (the fixture runs it if RT is missing; a cold
install took 20 s here, 265 packages; a re-run < 0.1 s). Each test session gets
its own copy of the freshly installed SQLite database and its own site-config
directory under a throw-away work dir, so the system RT is never modified.
Start-up measured on 2 cores: ≈ 1 s for the helper (RT's Perl init, users,
rights, token) and ≈ 1 s more until `rt-server` answers HTTP 200; a ticket
through the mail gateway ≈ 0.1 s.

Everything that REST2 cannot do (rights, API tokens, mail arriving from a
customer) is done by a long-running Perl helper that uses RT's own API as
`www-data`: customer messages go through RT's mail gateway
(`RT::Interface::Email::Gateway`), exactly as `rt-mailgate` would deliver them,
so the customer is the transaction's creator and RT adds its usual autoreply
and status transactions.

Its fixtures are available to every test module (`pytest_plugins` in tests/conftest.py).
"""

from __future__ import annotations

import email.utils
import itertools
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

RT_SERVER = Path("/usr/share/request-tracker5/libexec/rt-server")
SYSTEM_DB = Path("/var/lib/dbconfig-common/sqlite3/request-tracker5/rtdb")
SYSTEM_SITE_DIR = Path("/etc/request-tracker5/RT_SiteConfig.d")
INSTALLER = Path(__file__).resolve().parents[2] / ".ci" / "install-rt.sh"
RT_USER = "www-data"
ROOT_PASSWORD = "oncall-test-root"
CORRESPOND_ADDRESS = "support@rt.oncall-test.invalid"
START_TIMEOUT = 60.0
WORKERS = 4  # Starlet pre-forks this many; matches the connector's parallelism

# Engineers are privileged RT users; only the first one gets an API token
# (creating tokens is slow and one is all the connector needs).
ENGINEERS = (
    {"name": "alice", "email": "alice@hosting.example", "realname": "Alice Martin"},
    {"name": "bob", "email": "bob@hosting.example", "realname": "Bob Chen"},
)
TOKEN_USER = "alice"

# The helper reads one JSON command per line on stdin and answers one JSON line.
HELPER_PL = r"""
use strict;
use warnings;
use lib '/usr/local/share/request-tracker5/lib', '/usr/share/request-tracker5/lib';
use RT;
RT::LoadConfig();
RT::Init();
use RT::Interface::Email;
use Encode ();
use JSON ();
use MIME::Entity;

$| = 1;
my $json = JSON->new->utf8->canonical;

sub user_obj {
    my $name = shift;
    my $u = RT::User->new(RT->SystemUser);
    $u->Load($name);
    die "no RT user '$name'\n" unless $u->id;
    return $u;
}

sub ticket_as {
    my ($user, $id) = @_;
    my $t = RT::Ticket->new(RT::CurrentUser->new(user_obj($user)));
    $t->Load($id);
    die "no ticket $id\n" unless $t->id;
    return $t;
}

sub last_txn {
    my ($ticket, @types) = @_;
    my $txns = RT::Transactions->new(RT->SystemUser);
    $txns->LimitToTicket($ticket->id);
    $txns->Limit(FIELD => 'Type', OPERATOR => 'IN', VALUE => [@types]) if @types;
    $txns->OrderBy(FIELD => 'id', ORDER => 'DESC');
    $txns->RowsPerPage(1);
    my $txn = $txns->First or die "ticket " . $ticket->id . " has no @types transaction\n";
    return $txn->id;
}

sub grant {
    my ($group, @rights) = @_;
    for my $right (@rights) {
        my ($ok, $msg) = $group->PrincipalObj->GrantRight(Right => $right, Object => RT->System);
        die "granting $right: $msg\n" unless $ok || $msg =~ /already has/i;
    }
}

sub system_group {
    my $g = RT::Group->new(RT->SystemUser);
    $g->LoadSystemInternalGroup(shift);
    return $g;
}

sub text_mime {
    my $body = shift;
    return MIME::Entity->build(Type => 'text/plain', Charset => 'UTF-8',
                               Data => [Encode::encode('UTF-8', $body)]);
}

my %commands = (
    ping => sub { return {} },
    setup => sub {
        my $a = shift;
        # Re-hash with the low $BcryptCost of the site config (install used the default).
        my $root = user_obj('root');
        my ($ok, $msg) = $root->SetPassword($a->{root_password});
        die "root password: $msg\n" unless $ok;
        for my $e (@{ $a->{engineers} }) {
            my $u = RT::User->new(RT->SystemUser);
            $u->Load($e->{name});
            next if $u->id;
            ($ok, $msg) = $u->Create(Name => $e->{name}, EmailAddress => $e->{email},
                                     RealName => $e->{realname}, Privileged => 1);
            die "creating user $e->{name}: $msg\n" unless $ok;
        }
        # Out of the box only root may touch tickets. Mail senders ("Everyone")
        # may open and answer tickets, as with rt-mailgate; engineers get the rest.
        grant(system_group('Everyone'), qw(CreateTicket ReplyToTicket));
        my $requestor = RT::Group->new(RT->SystemUser);
        $requestor->LoadRoleGroup(Object => RT->System, Name => 'Requestor');
        grant($requestor, qw(ShowTicket));
        grant(system_group('Privileged'), qw(SeeQueue ShowTicket CreateTicket ReplyToTicket
            CommentOnTicket ModifyTicket ShowTicketComments OwnTicket TakeTicket StealTicket
            ShowOutgoingEmail Watch SeeCustomField ModifyCustomField ManageAuthTokens));
        my $token = RT::AuthToken->new(RT->SystemUser);
        my ($id, $tmsg, $authstring) = $token->Create(
            Owner => user_obj($a->{token_user})->id, Description => 'oncall-tui tests');
        die "creating token: $tmsg\n" unless $id;
        return { token => $authstring };
    },
    queue => sub {
        my $a = shift;
        my $q = RT::Queue->new(RT->SystemUser);
        $q->Load($a->{name});
        unless ($q->id) {
            my ($ok, $msg) = $q->Create(Name => $a->{name},
                                        CorrespondAddress => $a->{correspond_address} // '');
            die "creating queue $a->{name}: $msg\n" unless $ok;
        }
        return { id => $q->id };
    },
    mail => sub {
        my $a = shift;
        my ($status, $msg, $ticket) = RT::Interface::Email::Gateway({
            queue => $a->{queue}, action => $a->{action}, ticket => $a->{ticket},
            message => Encode::encode('UTF-8', $a->{message}),
        });
        die "mail gateway refused the message: $msg\n" unless $status == 1 && $ticket;
        my $type = $a->{action} eq 'comment' ? 'Comment' : 'Correspond';
        return { ticket => $ticket->id, txn => last_txn($ticket, 'Create', $type) };
    },
    correspond => sub {
        my $a = shift;
        my $t = ticket_as($a->{user}, $a->{ticket});
        my ($txn, $msg) = $t->Correspond(MIMEObj => text_mime($a->{body}));
        die "correspond on ticket $a->{ticket}: $msg\n" unless $txn;
        return { txn => $txn };
    },
    comment => sub {
        my $a = shift;
        my $t = ticket_as($a->{user}, $a->{ticket});
        my ($txn, $msg) = $t->Comment(MIMEObj => text_mime($a->{body}));
        die "comment on ticket $a->{ticket}: $msg\n" unless $txn;
        return { txn => $txn };
    },
    status => sub {
        my $a = shift;
        my $t = ticket_as($a->{user}, $a->{ticket});
        my ($ok, $msg) = $t->SetStatus($a->{status});
        die "status of ticket $a->{ticket}: $msg\n" unless $ok;
        return { txn => last_txn($t, 'Status') };
    },
    # A customer as RT knows them: created (or brought up to date) before their mail arrives,
    # so the mail gateway finds them by address.
    person => sub {
        my $a = shift;
        my %fields = (RealName => $a->{realname} // '', Lang => $a->{lang} // '',
                      Timezone => $a->{timezone} // '', Organization => $a->{organization} // '');
        my $u = RT::User->new(RT->SystemUser);
        $u->LoadByEmail($a->{email});
        if ($u->id) {
            for my $f (sort keys %fields) {
                next if ($u->$f // '') eq $fields{$f};
                my $set = "Set$f";
                my ($ok, $msg) = $u->$set($fields{$f});
                die "user $a->{email}: $f: $msg\n" unless $ok;
            }
        } else {
            my ($ok, $msg) = $u->Create(Name => $a->{email}, EmailAddress => $a->{email}, Privileged => 0, %fields);
            die "creating user $a->{email}: $msg\n" unless $ok;
        }
        return { id => $u->id };
    },
    # One more engineer (a privileged user), with an API token of their own when asked.
    engineer => sub {
        my $a = shift;
        my $u = RT::User->new(RT->SystemUser);
        $u->Load($a->{name});
        unless ($u->id) {
            my ($ok, $msg) = $u->Create(Name => $a->{name}, EmailAddress => $a->{email},
                                        RealName => $a->{realname}, Privileged => 1);
            die "creating user $a->{name}: $msg\n" unless $ok;
        }
        return {} unless $a->{token};
        my $token = RT::AuthToken->new(RT->SystemUser);
        my ($id, $tmsg, $authstring) = $token->Create(Owner => $u->id, Description => 'oncall-tui tests');
        die "creating token for $a->{name}: $tmsg\n" unless $id;
        return { token => $authstring };
    },
    # The custom fields oncall marks its writes with (docs/request-tracker.md), on every queue.
    mark_fields => sub {
        my $a = shift;
        for my $type ('RT::Queue-RT::Ticket-RT::Transaction', 'RT::Queue-RT::Ticket') {
            my $cf = RT::CustomField->new(RT->SystemUser);
            $cf->LoadByName(Name => $a->{name}, LookupType => $type);
            unless ($cf->id) {
                my ($ok, $msg) = $cf->Create(Name => $a->{name}, Type => 'Freeform', MaxValues => 1,
                                             LookupType => $type, Description => 'oncall-tui write mark');
                die "creating custom field $a->{name} ($type): $msg\n" unless $ok;
            }
            my ($ok, $msg) = $cf->AddToObject(RT::Queue->new(RT->SystemUser));
            die "applying custom field $a->{name}: $msg\n" unless $ok || $msg =~ /already/i;
        }
        return {};
    },
    # Move a ticket and its history back in time, so tests of incremental
    # sync need not wait for the clock.
    age => sub {
        my $a = shift;
        my $shift = sprintf('-%d seconds', $a->{seconds});
        my $dbh = $RT::Handle->dbh;
        for my $id (@{ $a->{tickets} }) {
            $dbh->do("UPDATE Tickets SET Created = datetime(Created, ?),"
                   . " LastUpdated = datetime(LastUpdated, ?) WHERE id = ?",
                     undef, $shift, $shift, $id) or die "ageing ticket $id failed\n";
            $dbh->do("UPDATE Transactions SET Created = datetime(Created, ?)"
                   . " WHERE ObjectType = 'RT::Ticket' AND ObjectId = ?",
                     undef, $shift, $id) or die "ageing history of ticket $id failed\n";
        }
        return {};
    },
);

while (my $line = <STDIN>) {
    DBIx::SearchBuilder::Record::Cachable->FlushCache;  # the web server writes too
    my $answer = eval {
        my $req = $json->decode($line);
        my $code = $commands{ $req->{cmd} } or die "unknown command '$req->{cmd}'\n";
        { ok => JSON::true, %{ $code->($req) } };
    } || { ok => JSON::false, error => "$@" };
    print $json->encode($answer), "\n";
}
"""


class RtError(RuntimeError):
    """RT refused what the test asked of it (the message says what and why)."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_rt_user() -> dict:
    """Popen arguments that run a child as www-data (RT's files belong to it)."""
    pw = pwd.getpwnam(RT_USER)
    return {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []}


def ensure_rt_installed() -> None:
    """Install RT with the project's installer when it is missing (needs root)."""
    if RT_SERVER.exists() and SYSTEM_DB.exists():
        return
    if os.geteuid() != 0:
        raise RuntimeError(f"Request Tracker is not installed: run `sudo bash {INSTALLER}`")
    subprocess.run(["bash", str(INSTALLER)], check=True, stdin=subprocess.DEVNULL)


@dataclass
class RtServer:
    """A private RT: its web server, its database copy and a Perl helper.

    `base_url` has no trailing slash; REST2 lives at `base_url + "/REST/2.0"`.
    `token` authenticates as `token_user` (an engineer) with
    `Authorization: token <token>`.
    """

    workdir: Path
    port: int
    token: str = ""
    token_user: str = TOKEN_USER
    engineers: tuple = ENGINEERS
    _server: subprocess.Popen | None = field(default=None, repr=False)
    _helper: subprocess.Popen | None = field(default=None, repr=False)
    _msg_seq: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def rest_url(self) -> str:
        return f"{self.base_url}/REST/2.0"

    @property
    def db_path(self) -> Path:
        return self.workdir / "rtdb"

    def _env(self) -> dict:
        return {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": str(self.workdir),
                "LANG": "C.UTF-8", "RT_SITE_CONFIG_DIR": str(self.workdir / "site")}

    # -- lifecycle -------------------------------------------------------------

    def prepare(self) -> None:
        """Copy the database and site config, start the helper, set up users and rights."""
        site = self.workdir / "site"
        site.mkdir()
        for snippet in sorted(SYSTEM_SITE_DIR.glob("*.pm")):
            shutil.copy(snippet, site / snippet.name)
        (site / "99-zz-fixture.pm").write_text("\n".join([
            "# Written by tests/servers/rt.py for one test session.",
            "Set($WebPath, '');",
            "Set($WebDomain, '127.0.0.1');",
            f"Set($WebPort, {self.port});",
            f"Set($WebBaseURL, '{self.base_url}');",
            f"Set($DatabaseName, '{self.db_path}');",
            "Set($LogToSTDERR, 'warning');",
            "Set($LogToSyslog, undef);",
            "Set($LogToFile, undef);",
            "Set($MailCommand, 'mbox');",
            "Set($BcryptCost, 4);",
            f"Set($CorrespondAddress, '{CORRESPOND_ADDRESS}');",
            "1;", ""]))
        shutil.copy(SYSTEM_DB, self.db_path)
        (self.workdir / "helper.pl").write_text(HELPER_PL)
        pw = pwd.getpwnam(RT_USER)
        for path in [self.workdir, *self.workdir.rglob("*")]:
            os.chown(path, pw.pw_uid, pw.pw_gid)
        with open(self.workdir / "helper.log", "ab") as log:
            self._helper = subprocess.Popen(
                ["perl", str(self.workdir / "helper.pl")], cwd=self.workdir, env=self._env(),
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True,
                encoding="utf-8", start_new_session=True, **_as_rt_user())
        self._call("ping")
        self.token = self._call("setup", root_password=ROOT_PASSWORD, engineers=list(self.engineers),
                                token_user=self.token_user)["token"]

    def start(self) -> None:
        """Start rt-server on our port and wait until it answers HTTP 200."""
        if self.running:
            return
        with open(self.workdir / "rt-server.log", "ab") as log:
            self._server = subprocess.Popen(
                ["perl", str(RT_SERVER), "--host", "127.0.0.1", "--port", str(self.port),
                 "--max-workers", str(WORKERS)],
                cwd=self.workdir, env=self._env(), stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True, **_as_rt_user())
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._server.poll() is not None:
                raise RuntimeError(f"rt-server exited with {self._server.returncode}: {self._log_tail()}")
            try:
                with urllib.request.urlopen(self.base_url + "/", timeout=5) as resp:
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)  # polling for readiness, not waiting for time to pass
        self.stop()
        raise RuntimeError(f"rt-server did not answer on {self.base_url}: {self._log_tail()}")

    def stop(self) -> None:
        """Stop rt-server (Starlet's master and its workers, one process group we created)."""
        proc, self._server = self._server, None
        _stop_group(proc)

    def restart(self) -> None:
        self.stop()
        self.start()

    @property
    def running(self) -> bool:
        return self._server is not None and self._server.poll() is None

    def close(self) -> None:
        self.stop()
        helper, self._helper = self._helper, None
        if helper is not None and helper.poll() is None:
            helper.stdin.close()  # the helper exits at end of input
            try:
                helper.wait(timeout=10)
            except subprocess.TimeoutExpired:
                _stop_group(helper)
        if helper is not None:
            helper.stdout.close()

    def _log_tail(self) -> str:
        path = self.workdir / "rt-server.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else "(no log)"

    # -- acting as RT's users ----------------------------------------------------

    def _call(self, cmd: str, **args) -> dict:
        if self._helper is None or self._helper.poll() is not None:
            log = (self.workdir / "helper.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"the RT helper is not running: {log}")
        self._helper.stdin.write(json.dumps({"cmd": cmd, **args}) + "\n")
        self._helper.stdin.flush()
        line = self._helper.stdout.readline()
        if not line:
            log = (self.workdir / "helper.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"the RT helper died during {cmd!r}: {log}")
        answer = json.loads(line)
        if not answer.pop("ok"):
            raise RtError(f"RT {cmd} {args}: {answer['error'].strip()}")
        return answer

    def create_queue(self, name: str) -> int:
        """Create (or find) a queue; one per test keeps pulls independent."""
        return int(self._call("queue", name=name, correspond_address=CORRESPOND_ADDRESS)["id"])

    def customer_email(self, queue: str, sender: str, subject: str, body: str,
                       ticket: int | None = None, sender_name: str = "") -> tuple[int, int]:
        """Deliver an email from a customer through RT's mail gateway.

        Without *ticket* it opens a new ticket (customer = requestor and creator);
        with it, it adds the customer's follow-up. Returns (ticket id, transaction id).
        """
        self._msg_seq += 1
        message = "\n".join([
            f"From: {email.utils.formataddr((sender_name, sender))}",
            f"To: {CORRESPOND_ADDRESS}",
            f"Subject: {subject}",
            f"Message-ID: <fixture-{os.getpid()}-{self._msg_seq}@customer.invalid>",
            f"Date: {email.utils.formatdate()}",
            "MIME-Version: 1.0",
            'Content-Type: text/plain; charset="utf-8"',
            "Content-Transfer-Encoding: 8bit",
            "",
            body, ""])
        answer = self._call("mail", queue=queue, action="correspond", ticket=ticket, message=message)
        return int(answer["ticket"]), int(answer["txn"])

    def reply(self, ticket: int, user: str, body: str) -> int:
        """An engineer's reply to the customer (RT `Correspond`); returns its transaction id."""
        return int(self._call("correspond", ticket=ticket, user=user, body=body)["txn"])

    def comment(self, ticket: int, user: str, body: str) -> int:
        """An engineer's internal comment; returns its transaction id."""
        return int(self._call("comment", ticket=ticket, user=user, body=body)["txn"])

    def set_status(self, ticket: int, user: str, status: str) -> int:
        """Change a ticket's status as *user*; returns the Status transaction id."""
        return int(self._call("status", ticket=ticket, user=user, status=status)["txn"])

    def age(self, tickets: list[int], seconds: int) -> None:
        """Move tickets' Created/LastUpdated and history *seconds* into the past."""
        self._call("age", tickets=list(tickets), seconds=int(seconds))

    def person(self, email: str, realname: str = "", lang: str = "", timezone: str = "",
               organization: str = "") -> None:
        """Create (or update) the RT user of a customer, with the fields RT keeps about people."""
        self._call("person", email=email, realname=realname, lang=lang, timezone=timezone,
                   organization=organization)

    def engineer(self, name: str, realname: str, *, token: bool = False) -> str:
        """Create a privileged user (an engineer, or a shared service account); its API token if asked."""
        answer = self._call("engineer", name=name, email=f"{name}@hosting.example", realname=realname,
                            token=token)
        return answer.get("token", "")

    def mark_fields(self, name: str = "oncall-id") -> None:
        """Create the transaction and ticket custom fields oncall marks its writes with, on every queue."""
        self._call("mark_fields", name=name)

    def mail(self, queue: str, message: str, ticket: int | None = None) -> tuple[int, int]:
        """Deliver a whole RFC 5322 message (MIME parts, attachments) through RT's mail gateway."""
        answer = self._call("mail", queue=queue, action="correspond", ticket=ticket, message=message)
        return int(answer["ticket"]), int(answer["txn"])


def _stop_group(proc: subprocess.Popen | None) -> None:
    """Stop a child we started in its own session, by its PID (= its group id)."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass


def start_rt() -> RtServer:
    """Prepare and start a private RT (caller must `close()` it)."""
    if os.geteuid() != 0:
        raise RuntimeError("the RT fixture runs RT as www-data and so must run as root")
    ensure_rt_installed()
    # Not under pytest's tmp dir: that one is 0700 and www-data must read its files.
    server = RtServer(workdir=Path(tempfile.mkdtemp(prefix="oncall-rt-")), port=_free_port())
    try:
        server.prepare()
        server.start()
    except BaseException:
        server.close()
        shutil.rmtree(server.workdir, ignore_errors=True)
        raise
    return server


@pytest.fixture(scope="session")
def rt_server():
    """A running RT 5 on loopback with engineers, rights and an API token, shared by the session."""
    server = start_rt()
    try:
        yield server
    finally:
        server.close()
        shutil.rmtree(server.workdir, ignore_errors=True)


_queues = itertools.count(1)


@pytest.fixture
def queue(rt_server, request):
    """A queue of the test's own, so tests never see each other's tickets."""
    name = f"q{next(_queues)}-{request.node.name[:40]}"
    rt_server.create_queue(name)
    return name


@pytest.fixture
def token_file(rt_server, tmp_path):
    """The API token in a file only its owner can read, as the connector demands."""
    path = tmp_path / "rt.token"
    path.write_text(rt_server.token + "\n")
    path.chmod(0o600)
    return path


# -- what the RT tests share: a customer, a config naming the test queue, RT's own record ------------

JEAN = "jean@boulangerie.fr"


def write_config(tmp_path: Path, *tables: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text("\n".join(f"[[sources]]\n{t}\n" for t in tables), encoding="utf-8")
    return path


def rt_table(base_url: str, token_file: Path, queue: str, **extra) -> str:
    """A `[[sources]]` table for the test queue; the token is alice's, so it is also her own (she writes as
    herself) unless *extra* says otherwise."""
    extra.setdefault("user_token_file", str(token_file))
    lines = ['kind = "rt"', 'name = "main"', f'base_url = "{base_url}"', f'token_file = "{token_file}"',
             f'queues = ["{queue}"]']
    lines += [f"{k} = {json.dumps(v)}" for k, v in extra.items()]
    return "\n".join(lines) + '\n[sources.customer_domains]\n"boulangerie.fr" = "c-boul"'


@pytest.fixture
def config_path(rt_server, token_file, queue, tmp_path):
    return write_config(tmp_path, rt_table(rt_server.base_url, token_file, queue))


def rt_history(rt_server, ticket: int) -> list[tuple[str, str, str]]:
    """(type, creator, text) of every person's transaction, read straight from REST2."""
    headers = {"Authorization": f"token {rt_server.token}"}
    txns = httpx.get(f"{rt_server.rest_url}/ticket/{ticket}/history", headers=headers, timeout=10,
                     params={"fields": "Type,Creator", "per_page": 100}).json()["items"]
    atts = httpx.get(f"{rt_server.rest_url}/ticket/{ticket}/attachments", headers=headers, timeout=10,
                     params={"fields": "TransactionId,ContentType,Content", "per_page": 100}).json()["items"]
    txn_of = lambda a: int(a["TransactionId"]["id"] if isinstance(a["TransactionId"], dict) else a["TransactionId"])
    text = {txn_of(a): a["Content"].strip() for a in atts
            if a.get("ContentType") == "text/plain" and a.get("Content")}
    return [(t["Type"], t["Creator"]["id"], text.get(int(t["id"]), "")) for t in txns
            if t["Creator"]["id"] != "RT_System" and t["Type"] in ("Create", "Correspond", "Comment")]
