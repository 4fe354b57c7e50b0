"""The project's own realistic Request Tracker: a managed-hosting support desk seeded into a real RT 5.

Twenty-two tickets in two queues (Support, Billing) from eleven people:

- organisations whose people have RT's `Organization` set (Boulangerie Martin,
  Harbour & Pine, Müller Maschinenbau, Copperleaf) — one of them (Agence
  Pixel & Plume) writes from a gmail.com address;
- people on free-mail domains who have nothing to do with each other
  (two on gmail.com, one on gmx.de, one on orange.fr, one on yahoo.co.jp);
- one person with nothing set at all (no name, no language, no time zone);
- three languages (French, English, German), `Lang` and `Timezone` set;
- attachments: PDFs, a PNG with a space and an accent in its name, a log with
  terminal escape sequences, a 300 KB archive;
- engineers' replies, internal comments, and every status (new, open,
  stalled by an engineer, resolved).

Customer mail goes through RT's mail gateway (the customer is the
transaction's creator, RT adds its autoreplies); engineers act through RT's
own API. Tickets are spread over the last days with the helper's `age`, so
the history has a realistic order without the test waiting.

The world also sets up what a team using oncall sets up in RT
(docs/request-tracker.md): the `oncall-id` custom fields, a shared service
account with a token, and an engineer (bob) with a token of his own.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import struct
import zlib
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path

import pytest

SUPPORT, BILLING = "World-Support", "World-Billing"
MARK_FIELD = "oncall-id"
SHARED_ACCOUNT = "oncall-bot"


@dataclass(frozen=True)
class Person:
    email: str
    realname: str = ""
    lang: str = ""
    timezone: str = ""
    organization: str = ""


PEOPLE = {p.email: p for p in (
    Person("jean@boulangerie-martin.fr", "Jean Martin", "fr_FR", "Europe/Paris", "Boulangerie Martin"),
    Person("marie@boulangerie-martin.fr", "Marie Martin", "fr", "Europe/Paris", "Boulangerie Martin"),
    Person("tom.okafor@harbourpine.co.uk", "Tom Okafor", "en_GB", "Europe/London", "Harbour & Pine Ltd"),
    Person("priya@harbourpine.co.uk", "Priya Shah", "en", "Europe/London", "Harbour & Pine Ltd"),
    Person("k.mueller@mueller-maschinenbau.de", "Klaus Müller", "de", "Europe/Berlin", "Müller Maschinenbau GmbH"),
    Person("a.schmidt@mueller-maschinenbau.de", "Anna Schmidt", "de_DE", "Europe/Berlin", "Müller Maschinenbau GmbH"),
    Person("contact.pixelplume@gmail.com", "Léa Roux", "fr", "Europe/Paris", "Agence Pixel & Plume"),
    Person("dana@copperleaf-accounting.com", "Dana Whitfield", "en_US", "America/New_York", "Copperleaf Accounting"),
    Person("sophie.durand@gmail.com", "Sophie Durand", "fr", "Europe/Paris"),
    Person("mike.reyes@gmail.com", "Mike Reyes", "en_US", "America/Los_Angeles"),
    Person("lukas.weber@gmx.de", "Lukas Weber", "de", "Europe/Berlin"),
    Person("claire.petit@orange.fr", "Claire Petit", "fr", "Europe/Paris"),
    Person("kenji.sato@yahoo.co.jp", "Kenji Sato", "en", "Asia/Tokyo"),
    Person("webmaster@atelier-gautier.fr"),
)}


# -- attachments: small real files, the same bytes every run ----------------------------------------

def _pdf(title: str) -> bytes:
    text = f"BT /F1 18 Tf 72 720 Td ({title}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text)]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, obj)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def _png(width: int = 64, height: int = 32) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + bytes(c for x in range(width) for c in (x * 4 % 256, y * 8 % 256, 128))
                    for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def _archive(size: int) -> bytes:
    # Incompressible, deterministic: what a real backup looks like to a mail gateway.
    out, block = bytearray(), b"oncall-world"
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += block
    return bytes(out[:size])


NGINX_LOG = ("2026/03/02 14:01:07 [error] 1432#1432: *88 upstream timed out (110: Connection timed out) "
             "while reading response header from upstream, client: 198.51.100.23, server: shop.harbourpine.co.uk\n"
             "\x1b[31mFATAL\x1b[0m php-fpm[911]: pool www: server reached pm.max_children (20)\n") * 40

FILES = {
    "facture-2026-03.pdf": ("application/pdf", _pdf("Facture 2026-03 Boulangerie Martin")),
    "capture écran 500.png": ("image/png", _png()),
    "nginx-error.log": ("text/plain", NGINX_LOG.encode()),
    "rechnung-april.pdf": ("application/pdf", _pdf("Rechnung April Mueller Maschinenbau")),
    "restore-request.pdf": ("application/pdf", _pdf("Restore request Copperleaf")),
    "backup-2026-03.tar.gz": ("application/gzip", _archive(300 * 1024)),
}


# -- the tickets ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    """One thing that happens on a ticket: the customer writes (with files), an engineer replies/comments/sets."""

    who: str  # an e-mail address (the customer) or an engineer's RT name
    kind: str  # mail | reply | comment | status
    text: str = ""
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class Story:
    key: str
    queue: str
    subject: str
    days_ago: float
    steps: tuple[Step, ...]


def mail(who: str, text: str, *files: str) -> Step:
    return Step(who, "mail", text, files)


def reply(who: str, text: str) -> Step:
    return Step(who, "reply", text)


def comment(who: str, text: str) -> Step:
    return Step(who, "comment", text)


def status(who: str, value: str) -> Step:
    return Step(who, "status", value)


JEAN, MARIE = "jean@boulangerie-martin.fr", "marie@boulangerie-martin.fr"
TOM, PRIYA = "tom.okafor@harbourpine.co.uk", "priya@harbourpine.co.uk"
KLAUS, ANNA = "k.mueller@mueller-maschinenbau.de", "a.schmidt@mueller-maschinenbau.de"
LEA, DANA = "contact.pixelplume@gmail.com", "dana@copperleaf-accounting.com"
SOPHIE, MIKE = "sophie.durand@gmail.com", "mike.reyes@gmail.com"
LUKAS, CLAIRE, KENJI = "lukas.weber@gmx.de", "claire.petit@orange.fr", "kenji.sato@yahoo.co.jp"
GAUTIER = "webmaster@atelier-gautier.fr"

STORIES = (
    Story("ssl", SUPPORT, "Charger un SSL sur boutique-martin.fr", 3.2, (
        mail(JEAN, "Bonjour, comment charger un SSL sur boutique-martin.fr ? Le navigateur dit « non sécurisé »."),
        reply("alice", "Bonjour Jean, vous trouverez la marche à suivre dans notre guide Let's Encrypt."),
        mail(JEAN, "J'ai lu le guide, toujours pas de cadenas. C'est la troisième fois que je demande !!!"),
        comment("bob", "DNS is right (A and AAAA point to web-01); only the certificate is missing."),
    )),
    Story("invoice-fr", BILLING, "Facture de mars", 9.0, (
        mail(MARIE, "Bonjour, pourriez-vous vérifier la facture ci-jointe ? Le montant a doublé.",
             "facture-2026-03.pdf"),
        reply("alice", "Bonjour Marie, une option de sauvegarde a été ajoutée par erreur ; un avoir suit."),
        status("alice", "resolved"),
    )),
    Story("screenshot", SUPPORT, "Erreur 500 sur la boutique", 1.5, (
        mail(JEAN, "Voici une capture de l'erreur 500 sur la page panier.", "capture écran 500.png"),
        reply("alice", "Merci Jean, nous regardons les journaux PHP et revenons vers vous."),
        status("alice", "stalled"),  # on hold by us: waiting for the developers' fix
    )),
    Story("502", SUPPORT, "Intermittent 502 on checkout", 2.1, (
        mail(TOM, "Since this morning about one checkout in ten returns a 502."),
        reply("bob", "Hi Tom, we see upstream timeouts; could you send the nginx error log?"),
        mail(TOM, "Here is the log from web-03.", "nginx-error.log"),
    )),
    Story("vhost", SUPPORT, "Add a vhost for staging.harbourpine.co.uk", 6.0, (
        mail(PRIYA, "Could you add a vhost for staging.harbourpine.co.uk on web-03, same webroot layout?"),
        reply("alice", "Done: the vhost is live, the certificate was issued too."),
        status("alice", "resolved"),
    )),
    Story("disk", SUPPORT, "Festplatte voll auf web-02", 4.0, (
        mail(KLAUS, "Guten Tag, die Festplatte auf web-02 ist voll, die Webseite lädt nicht mehr."),
        reply("bob", "Guten Tag Herr Müller, wir haben 12 GB alte Logs gelöscht. Dürfen wir die alten Backups "
                     "ebenfalls löschen?"),
        status("bob", "stalled"),  # waiting on the customer's answer
    )),
    Story("invoice-de", BILLING, "Rechnung April", 2.5, (
        mail(ANNA, "Anbei die Rechnung für April, die Mehrwertsteuer fehlt.", "rechnung-april.pdf"),
    )),
    Story("cert-de", SUPPORT, "Zertifikat abgelaufen", 0.3, (
        mail(KLAUS, "Das Zertifikat von mueller-maschinenbau.de ist heute abgelaufen! Kunden sehen eine Warnung."),
    )),
    Story("clone", SUPPORT, "Cloner la prod en préprod", 2.9, (
        mail(LEA, "Bonjour, pouvez-vous cloner la prod de maison-caron.fr en préprod pour notre client ?"),
        reply("alice", "Bonjour Léa, le clonage est prévu ce soir à 22 h."),
    )),
    Story("ftp", SUPPORT, "Accès FTP pour un client", 12.0, (
        mail(LEA, "Il nous faudrait un accès FTP pour un client sur atelier-lumiere.fr."),
        reply("bob", "Bonjour, l'accès SFTP est créé, les identifiants suivent par téléphone."),
        status("bob", "resolved"),
    )),
    Story("restore", SUPPORT, "Database restore request", 1.1, (
        mail(DANA, "Please restore the ledger database to last Friday 18:00, signed request attached.",
             "restore-request.pdf"),
        reply("bob", "Hi Dana, restore started on db-02; it takes about an hour."),
    )),
    Story("blank", SUPPORT, "Mon site affiche une page blanche", 0.2, (
        mail(SOPHIE, "Bonjour, depuis ce matin mon site sophie-durand-photo.fr affiche une page blanche."),
    )),
    Story("backup-fr", SUPPORT, "Sauvegarde", 15.0, (
        mail(SOPHIE, "Où sont gardées mes sauvegardes ?"),
        reply("alice", "Bonjour Sophie, chaque nuit sur un serveur à Strasbourg, gardées 14 jours."),
        status("alice", "resolved"),
    )),
    Story("mail", SUPPORT, "Email not working on my domain", 1.8, (
        mail(MIKE, "Hi, mail to mike@reyes-surf.com bounces since yesterday."),
        reply("bob", "Hi Mike, your MX record was removed at your registrar; please add it back."),
        mail(MIKE, "I don't know how to do that, can you just fix it? This is urgent."),
    )),
    Story("invoice-en", BILLING, "Invoice copy", 20.0, (
        mail(MIKE, "Could you send me a copy of my last invoice?"),
        reply("alice", "Sure, it is on its way to your address."),
        status("alice", "resolved"),
    )),
    Story("slow-db", SUPPORT, "Datenbank langsam", 2.2, (
        mail(LUKAS, "Hallo, meine Datenbank ist seit gestern sehr langsam."),
        reply("bob", "Hallo Lukas, eine Abfrage ohne Index lief ständig; wir haben einen Index angelegt."),
    )),
    Story("backup-de", SUPPORT, "Backup herunterladen", 5.0, (
        mail(LUKAS, "Ich habe das Backup angehängt, bitte auf dem neuen Server einspielen.", "backup-2026-03.tar.gz"),
        reply("bob", "Hallo Lukas, welches Datum soll der neue Server haben?"),
        status("bob", "stalled"),
    )),
    Story("memory", SUPPORT, "Mémoire pleine", 1.0, (
        mail(CLAIRE, "Bonjour, mon hébergement dit « mémoire pleine », je ne peux plus envoyer de photos."),
        reply("alice", "Bonjour Claire, c'est l'espace disque : 9,8 Go sur 10. Voulez-vous plus d'espace ?"),
        mail(CLAIRE, "Oui, le moins cher possible s'il vous plaît."),
    )),
    Story("dns", SUPPORT, "DNS change for new server", 7.0, (
        mail(KENJI, "Please point kenji-sato.jp to the new server 203.0.113.40."),
        reply("bob", "Done, the A record now points to 203.0.113.40; the old AAAA record was removed too."),
        status("bob", "resolved"),
    )),
    Story("gautier", SUPPORT, "Certificat ne marche pas après migration", 0.5, (
        mail(GAUTIER, "Après la migration, atelier-gautier.fr affiche une erreur de certificat."),
    )),
    Story("quote", BILLING, "Quote for extra capacity", 3.5, (
        mail(TOM, "Could we get a quote for two more app servers before Black Friday?"),
    )),
    Story("ssh", SUPPORT, "SSH key rotation", 4.5, (
        mail(DANA, "Our contractor left; please remove his SSH key from all servers."),
        comment("alice", "Key fingerprint SHA256:x1Yc… found on app-01 and app-02."),
    )),
)


@dataclass
class Ticket:
    key: str
    id: int
    queue: str
    subject: str
    requestor: str
    status: str  # RT's status at the end of the story
    files: dict[str, tuple[str, int, str]] = field(default_factory=dict)  # name -> (type, size, sha256)
    txns: list[int] = field(default_factory=list)  # transactions of people (no RT bookkeeping)


@dataclass
class World:
    """What was seeded: the queues, people, tickets by key, and the tokens the team set up."""

    queues: tuple[str, ...]
    people: dict[str, Person]
    tickets: dict[str, Ticket]
    shared_token: str
    bob_token: str

    def ticket(self, key: str) -> Ticket:
        return self.tickets[key]

    def of(self, email: str) -> list[Ticket]:
        return [t for t in self.tickets.values() if t.requestor == email]


def customer_message(sender: Person, subject: str, text: str, files: tuple[str, ...]) -> str:
    """A customer's mail as their mail client would send it (multipart when files are attached)."""
    msg = EmailMessage()
    msg["From"] = formataddr((sender.realname, sender.email))
    msg["To"] = "support@rt.oncall-test.invalid"
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="customer.invalid")
    msg.set_content(text)
    for name in files:
        ctype, data = FILES[name]
        main, _, sub = ctype.partition("/")
        if main == "text":
            msg.add_attachment(data.decode(), subtype=sub, filename=name)
        else:
            msg.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return msg.as_string()


def seed(rt_server) -> World:
    """Seed the world into *rt_server* (its own queues; the people and engineers are RT-wide)."""
    for queue in (SUPPORT, BILLING):
        rt_server.create_queue(queue)
    for person in PEOPLE.values():
        rt_server.person(person.email, person.realname, person.lang, person.timezone, person.organization)
    rt_server.mark_fields(MARK_FIELD)
    shared = rt_server.engineer(SHARED_ACCOUNT, "Oncall shared account", token=True)
    bob = rt_server.engineer("bob", "Bob Chen", token=True)
    rt_server.engineer("carol", "Carol Diaz")
    tickets: dict[str, Ticket] = {}
    for story in STORIES:
        first = story.steps[0]
        ticket_id, txn = rt_server.mail(story.queue, customer_message(PEOPLE[first.who], story.subject, first.text,
                                                                      first.files))
        t = Ticket(story.key, ticket_id, story.queue, story.subject, first.who, "new", txns=[txn])
        for step in story.steps:
            for name in step.files:
                ctype, data = FILES[name]
                t.files[name] = (ctype, len(data), hashlib.sha256(data).hexdigest())
        for step in story.steps[1:]:
            if step.kind == "mail":
                t.txns.append(rt_server.mail(story.queue, customer_message(
                    PEOPLE[step.who], f"Re: {story.subject}", step.text, step.files), ticket=ticket_id)[1])
            elif step.kind == "reply":
                t.txns.append(rt_server.reply(ticket_id, step.who, step.text))
                t.status = "open" if t.status == "new" else t.status
            elif step.kind == "comment":
                t.txns.append(rt_server.comment(ticket_id, step.who, step.text))
            else:
                t.txns.append(rt_server.set_status(ticket_id, step.who, step.text))
                t.status = step.text
        tickets[story.key] = t
    # Spread the stories over the last weeks (oldest first), so the history has a real order.
    for story in STORIES:
        rt_server.age([tickets[story.key].id], int(story.days_ago * 86400))
    return World((SUPPORT, BILLING), dict(PEOPLE), tickets, shared, bob)


@pytest.fixture(scope="session")
def rt_world(rt_server) -> World:
    """The realistic support desk, seeded once per test session into the shared RT."""
    return seed(rt_server)


# -- configurations and stores the tests share ------------------------------------------------------------

def source_table(base_url: str, token_file: Path, *, queues: tuple[str, ...] = (SUPPORT, BILLING),
                 user_token_file: Path | None = None, **extra) -> str:
    """A `[[sources]]` table for the world; *extra* values are TOML scalars/lists, or tables (dicts)."""
    lines = ['kind = "rt"', 'name = "main"', f"base_url = {json.dumps(base_url)}",
             f"token_file = {json.dumps(str(token_file))}", f"queues = {json.dumps(list(queues))}",
             # Hermetic: the engineer's own token is where the test puts it, never in a real config dir.
             f"user_token_file = {json.dumps(str(user_token_file or token_file.parent / 'no-own-token'))}"]
    tables = []
    for key, value in extra.items():
        if isinstance(value, dict):
            tables.append(f"[sources.{key}]\n" + "\n".join(f"{json.dumps(k)} = {json.dumps(v)}"
                                                          for k, v in value.items()))
        else:
            lines.append(f"{key} = {json.dumps(value)}")
    return "\n".join(lines + tables)


def write_config(path: Path, table: str, *, user: str = "") -> Path:
    head = f'[user]\nname = "{user}"\n\n' if user else ""
    path.write_text(f"{head}[[sources]]\n{table}\n", encoding="utf-8")
    return path


def private_file(path: Path, text: str) -> Path:
    path.write_text(text + "\n")
    path.chmod(0o600)
    return path


@pytest.fixture
def shared_token(rt_world, tmp_path) -> Path:
    """The team's shared token (the service account's), in a file only its owner reads."""
    return private_file(tmp_path / "rt-shared.token", rt_world.shared_token)


@pytest.fixture(scope="session")
def world_db(rt_server, rt_world, tmp_path_factory) -> Path:
    """A store holding the whole world after one first sync (a template: tests copy it, never change it)."""
    import asyncio

    from oncall_tui.config import load_config
    from oncall_tui.connectors.catalog import load_sources
    from oncall_tui.usecases.sync import sync_once

    from ..conftest import open_session

    folder = tmp_path_factory.mktemp("world")
    token = private_file(folder / "rt-shared.token", rt_world.shared_token)
    config = load_config(write_config(folder / "config.toml", source_table(rt_server.base_url, token)))
    session = open_session(folder / "oncall.db", config=config)

    async def first_sync():
        (source,) = load_sources(config, user="alice")
        try:
            return await sync_once(session, source)
        finally:
            await source.aclose()

    try:
        report = asyncio.run(first_sync())
    finally:
        session.close()
    assert report.tickets == len(STORIES)
    return folder / "oncall.db"


@pytest.fixture
def world_store(world_db, tmp_path, request, backend) -> Path | str:
    """A copy of the synced world's store for one test: an SQLite file, or (backend "postgresql") the
    world moved into a fresh PostgreSQL database by `oncall migrate`."""
    if backend == "postgresql":
        from oncall_tui.usecases.transfer import migrate_store

        url = request.getfixturevalue("pg_url")
        migrate_store(str(world_db), url)
        return url
    path = tmp_path / "oncall.db"
    shutil.copy(world_db, path)
    return path
