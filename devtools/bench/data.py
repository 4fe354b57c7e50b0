"""Synthetic stores for the benchmark, written straight into SQLite.

The JSON importer validates and refreshes case by case, which is right for
real data and far too slow for a million events. Here each chunk of cases is
generated and folded (`heat_stats.fold_events`, `heat_score.score`, with the
shipped heat model) in a worker process,
and the parent inserts the rows with `executemany` in one transaction, filling
the derived columns of `cases` exactly as `store/derived.py` does.
Generation is deterministic for a given size and anchor time.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from oncall_tui.core.export_doc import FORMAT
from oncall_tui.core.heat_score import score
from oncall_tui.core.heat_stats import fold_events
from oncall_tui.core.model import OPEN_STATUSES, Event
from oncall_tui.core.timeutil import format_ts
from oncall_tui.store import derived
from oncall_tui.store.engines import open_store
from oncall_tui.usecases.models import shipped

_UTC = timezone.utc

#: Bump when the generated data changes shape, so cached stores are rebuilt.
GENERATOR_VERSION = 1
EVENTS_PER_CASE = 10
CHUNK = 2500  # cases per worker task

ENGINEERS = (("alice", "EMEA", "Paris", "Europe/Paris"), ("hugo", "EMEA", "Lyon", "Europe/Paris"),
             ("lena", "EMEA", "Berlin", "Europe/Berlin"), ("omar", "EMEA", "London", "Europe/London"),
             ("bob", "AMER", "San Francisco", "America/Los_Angeles"),
             ("maya", "AMER", "Montreal", "America/Montreal"), ("sam", "AMER", "New York", "America/New_York"),
             ("kenji", "APAC", "Tokyo", "Asia/Tokyo"), ("mei", "APAC", "Singapore", "Asia/Singapore"),
             ("liam", "APAC", "Sydney", "Australia/Sydney"))
_REGION = {name: region for name, region, _city, _tz in ENGINEERS}
_TIMEZONES = (("Europe/Paris", "fr"), ("Europe/Paris", "fr"), ("America/Montreal", "fr"),
              ("Europe/Brussels", "fr"), ("Europe/London", "en"), ("America/New_York", "en"),
              ("America/Los_Angeles", "en"), ("Asia/Tokyo", "en"), ("Australia/Sydney", "en"),
              ("Europe/Berlin", "en"))
_TRADES = ("Boulangerie", "Atelier", "Cabinet", "Garage", "Librairie", "Studio", "Agence", "Pharmacie",
           "Acme", "Northwind", "Blue Harbor", "Summit", "Pixel", "Green Leaf", "Harbor", "Maison")
_NAMES = ("Martin", "Lefèvre", "Dubois", "Moreau", "Girard", "Roux", "Fournier", "Bonnet", "Widgets",
          "Logistics", "Analytics", "Design", "Outdoor", "Media", "Consulting", "Labs", "Müller & Fils")
_SERVICES = ("nginx", "apache", "php-fpm", "mysql", "postgresql", "postfix", "redis", "cron")

# {d} domain, {s} service, {n} a number, {w} a detail word: enough variety that
# messages differ (fingerprints, FTS) while staying plausible.
_IN = {
    "fr": ("Bonjour, comment charger un SSL sur {d} ? Le cadenas n'apparaît pas.",
           "Le site {d} affiche une erreur {n} depuis ce matin, nos clients ne peuvent plus commander.",
           "Je n'arrive plus à me connecter en ftp sur {d}, le mot de passe est refusé.",
           "Plus de mémoire sur le serveur, {s} s'arrête tout seul vers {n} h.",
           "Nous voulons activer le cryptage sur {d} et la redirection vers https.",
           "Les mails partent en spam depuis {d}, pouvez-vous vérifier le {w} ?",
           "La base {s} est très lente, les pages de {d} mettent {n} secondes à s'afficher."),
    "en": ("Hello, how do we add an SSL certificate to {d}? Browsers say not secure.",
           "Our shop {d} returns {n} errors since the deploy, customers cannot check out.",
           "FTP login to {d} fails with the password we were given.",
           "The disk is full on our server, {s} keeps crashing around {n}:00.",
           "Please enable HTTPS on {d} and redirect plain http to it.",
           "Emails from {d} land in spam, can you check the {w} records?",
           "The {s} database is slow, pages on {d} take {n} seconds to load."),
}
#: A subject per opening message above, same order.
_SUBJECTS = {
    "fr": ("Charger un SSL sur {d}", "Erreur {n} sur {d}", "Accès ftp refusé", "Plus de mémoire",
           "Cryptage / https pour {d}", "Mails en spam", "Base {s} lente"),
    "en": ("SSL certificate for {d}", "{n} errors on {d}", "FTP login fails", "Disk full",
           "HTTPS for {d}", "Emails in spam", "Slow {s} database"),
}
_ANGRY = {
    "fr": ("Toujours pas de réponse, c'est la troisième fois que je demande !!!",
           "C'est urgent, nous perdons des ventes. Encore une fois, merci de regarder.",
           "Je relance : toujours rien, inadmissible pour un service payant.",
           "Combien de fois faut-il expliquer le problème ? Le site est hors service."),
    "en": ("Still no answer, this is the third time I am asking!!!",
           "This is URGENT, we are losing sales. Once again, please look at it.",
           "Following up again: nobody answers and the site is still down.",
           "How many times do I have to explain this? We will cancel if it is not fixed TODAY."),
}
_OUT = {
    "fr": ("Bonjour, nous regardons {d} et revenons vers vous rapidement.",
           "Le certificat de {d} est en cours d'émission, pouvez-vous vérifier l'enregistrement {w} ?",
           "Nous avons redémarré {s} ; pouvez-vous confirmer que {d} répond à nouveau ?",
           "Pouvez-vous nous indiquer l'heure exacte de l'erreur {n} ?"),
    "en": ("Hello, we are looking at {d} and will get back to you shortly.",
           "The certificate for {d} is being issued; could you check the {w} record?",
           "We restarted {s}; can you confirm {d} answers again?",
           "Could you tell us the exact time you saw the {n} error?"),
}
_NOTES = ("Checked {s} logs on web-{n}: nothing obvious.", "AAAA record for {d} still points to the old host.",
          "Customer called, wants news before {n}:00 their time.", "Disk at {n}% on the server, cleaned tmp.",
          "Handing over to the next region: {d} {s} still to check.")
#: What follows the opening message: mostly messages both ways, some notes, calls and chats.
_PLAN = (("message", "in"), ("message", "out"), ("note", "internal"), ("call", "in"), ("chat", "out"))
_PLAN_CUM = (35, 67, 88, 94, 100)
_WORDS = ("DNS", "SPF", "DKIM", "MX", "AAAA", "CNAME", "TXT")


@dataclass
class BuildInfo:
    size: int
    customers: int
    events: int
    seconds: float
    anchor: str  # the build's `now`, ISO 8601


def customer_count(size: int) -> int:
    """~2k customers at full size, fewer for tiny stores so each has several cases."""
    return max(10, min(2000, size // 5))


def _customers(n: int, rng: random.Random) -> list[tuple]:
    rows = []
    for i in range(n):
        tz, lang = rng.choice(_TIMEZONES)
        tier = rng.choices(("standard", "business", "critical"), (75, 20, 5))[0]
        name = f"{rng.choice(_TRADES)} {rng.choice(_NAMES)} {i:04d}"
        rows.append((f"cu-{i:05d}", name, lang, tz, tier, rng.choice(ENGINEERS)[0], "[]"))
    return rows


def _pick(seq, random_) -> object:
    # random.choice costs several Python calls; this is one, for a million picks.
    return seq[int(random_() * len(seq))]


def _fill(template: str, r, domain: str) -> str:
    return template.format(d=domain, s=_pick(_SERVICES, r), n=2 + int(r() * 598), w=_pick(_WORDS, r))


def _case(index: int, rng: random.Random, customer: tuple, now_t: int, incidents: dict) -> tuple:
    """One case's row (with derived columns) and its events."""
    r = rng.random
    cid, lang, tier = customer[0], customer[2], customer[4]
    domain = f"{customer[1].split()[-2].lower().replace('è', 'e').replace('ü', 'u')}-{customer[0][3:]}.example"
    case_id = f"B-{index:06d}"
    age = int(rng.expovariate(1 / (3 * 86400))) + 600  # most cases are days old, a few weeks
    opened_t = now_t - min(age, 40 * 86400)
    span = now_t - 30 - opened_t
    # Distinct whole seconds after the opening message, in order.
    times = sorted({opened_t + 1 + int(r() * span) for _ in range(EVENTS_PER_CASE + 4)})
    while len(times) < EVENTS_PER_CASE - 1:
        times = sorted(set(times) | {opened_t + 1 + int(r() * span)})
    times = times[:EVENTS_PER_CASE - 1]
    events, last_in = [], ""
    topic = int(r() * len(_IN[lang]))
    first = _fill(_IN[lang][topic], r, domain)
    subject = _fill(_SUBJECTS[lang][topic], r, domain)
    plan = [("message", "in"), *rng.choices(_PLAN, cum_weights=_PLAN_CUM, k=EVENTS_PER_CASE - 1)]
    assignee = _pick(ENGINEERS, r)[0] if r() < 0.8 else ""
    for (kind, direction), t in zip(plan, [opened_t, *times]):
        if direction == "in":
            if not events:
                body = first
            elif r() < 0.12 and last_in:  # the customer repeats themselves
                body = ("Je répète : " if lang == "fr" else "Again: ") + last_in
            elif r() < 0.3:
                body = _pick(_ANGRY[lang], r)
            else:
                body = _fill(_pick(_IN[lang], r), r, domain)
            last_in = body
            author, region = f"{cid}-contact", ""
        else:
            author = assignee if assignee and r() < 0.7 else _pick(ENGINEERS, r)[0]
            region = _REGION[author]
            body = _fill(_pick(_OUT[lang] if direction == "out" else _NOTES, r), r, domain)
        events.append((kind, direction, author, region, body, t))
    last_conversation = next(d for k, d, *_ in reversed(events) if k != "note")
    if not any(d == "out" for _, d, *_ in events):
        status = "new"
    else:
        status = "pending" if last_conversation == "out" and r() < 0.5 else "open"
    incident_id = _pick(list(incidents), r) if r() < 0.005 else None
    return case_id, cid, subject, tier, status, opened_t, assignee, incident_id, events


def _ts(t: int) -> str:
    """`format_ts` of epoch seconds, the fast way (same text)."""
    return datetime.fromtimestamp(t, _UTC).isoformat()[:19] + "Z"


_CHANNELS = {"note": "note", "call": "phone", "chat": "chat"}


def make_chunk(args: tuple) -> tuple[list[tuple], list[tuple]]:
    """Cases start..stop: rows for `cases` (derived columns filled) and `events`."""
    size, start, stop, now_t, customers, incidents = args
    rng = random.Random(f"oncall-bench-{size}-{start}")
    now = datetime.fromtimestamp(now_t, _UTC)
    now_text = format_ts(now)
    heat = shipped().heat
    case_rows, event_rows = [], []
    for index in range(start, stop):
        customer = customers[int(rng.random() * len(customers))]
        case_id, cid, subject, tier, status, opened_t, assignee, incident_id, events = _case(
            index, rng, customer, now_t, incidents)
        opened = datetime.fromtimestamp(opened_t, _UTC)
        core_events = []
        for n, (kind, direction, author, region, body, t) in enumerate(events):
            at = datetime.fromtimestamp(t, _UTC)
            at_text = _ts(t)
            channel = _CHANNELS.get(kind, "email")
            core_events.append(Event(at, kind, direction, author, body, channel))
            event_rows.append((f"{case_id}-e{n}", case_id, cid, None, at_text, kind, direction, author, region,
                               channel, body, "{}", now_text))
        # As derived.refresh_cases/_store_score: fold, score, and the same columns.
        stats = fold_events(core_events, lexicon=heat.lexicon, promise_window_hours=heat.weights.promise_window_hours,
                            reads_outage=heat.reads_outage if status in OPEN_STATUSES else None,
                            outage_window_hours=heat.weights.promise_outage_window_hours, subject=subject)
        h = score(stats, status=status, opened_at=opened, tier=tier, now=now,
                  incident_open=bool(incident_id and incidents[incident_id]), weights=heat.weights)
        waiting = stats.waiting_since if status not in ("pending", "resolved", "closed") else None
        case_rows.append((case_id, cid, subject, status, _ts(opened_t), assignee,
                          incident_id, int(status in OPEN_STATUSES), h.score, stats.to_json(), waiting,
                          stats.exchanges, event_rows[-1][4], now_text))
    return case_rows, event_rows


def build_store(path: str | Path, size: int, *, now: datetime, workers: int | None = None) -> BuildInfo:
    """Write a store of *size* open cases (×10 events) at *path*, as of *now*; returns timings."""
    started = time.perf_counter()
    path = Path(path)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    open_store(path, heat=shipped().heat).close()  # the real schema, by the real migrations
    rng = random.Random(f"oncall-bench-{size}")
    now_t = int(now.timestamp()) // 60 * 60
    customers = _customers(customer_count(size), rng)
    incidents = {"INC-1": True, "INC-2": False, "INC-3": False}  # id -> still open
    conn = sqlite3.connect(path, isolation_level=None)
    # A private file nobody else has open yet: no journal, no fsync, big cache.
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -262144")
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO customers(id, name, language, timezone, tier, owner, emails) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)", customers)
    conn.executemany("INSERT INTO assets(customer_id, kind, name, ipv4, datacenter) VALUES (?, ?, ?, ?, ?)",
                     [(c[0], "server", f"web-{i:04d}", f"10.{i // 250 % 250}.{i % 250}.10", "SBG")
                      for i, c in enumerate(customers)])
    conn.executemany("INSERT INTO engineers(name, region, city, timezone) VALUES (?, ?, ?, ?)", ENGINEERS)
    anchor = format_ts(datetime.fromtimestamp(now_t, _UTC))
    start_text = format_ts(datetime.fromtimestamp(now_t, _UTC) - timedelta(days=2))
    conn.executemany("INSERT INTO incidents(id, title, status, opened_at) VALUES (?, ?, ?, ?)",
                     [(i, f"Incident {i}", "investigating" if is_open else "resolved", start_text)
                      for i, is_open in incidents.items()])
    tasks = [(size, s, min(size, s + CHUNK), now_t, customers, incidents) for s in range(0, size, CHUNK)]
    # The FTS trigger per row is the slowest part of inserting: drop it and
    # rebuild the index in one pass at the end (same resulting index).
    trigger = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'events_fts_insert'").fetchone()[0]
    conn.execute("DROP TRIGGER events_fts_insert")
    workers = workers or min(len(tasks), os.cpu_count() or 1)
    events = 0
    for case_rows, event_rows in _chunks(tasks, workers):
        conn.executemany(
            "INSERT INTO cases(id, customer_id, subject, status, opened_at, assignee, incident_id, is_open, "
            "heat, stats, waiting_since, exchanges, last_event_at, heat_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", case_rows)
        conn.executemany(
            "INSERT INTO events(id, case_id, customer_id, incident_id, at, kind, direction, author, "
            "author_region, channel, body, meta, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            event_rows)
        events += len(event_rows)
    conn.execute("INSERT INTO events_fts(events_fts) VALUES ('rebuild')")
    conn.execute(trigger)
    # Links between a customer's cases (a request repeated across cases) need every case in
    # place: the product's own refresh sets them, so the built store is what the product makes.
    heat = shipped().heat
    ids = [r[0] for r in conn.execute("SELECT id FROM cases ORDER BY opened_at")]
    for start in range(0, len(ids), 5000):
        derived.refresh_cases(conn, ids[start:start + 5000], datetime.fromtimestamp(now_t, _UTC), heat)
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode = WAL")  # as Store.open leaves it
    conn.close()
    return BuildInfo(size, len(customers), events, time.perf_counter() - started, anchor)


def _chunks(tasks: list[tuple], workers: int):
    """`make_chunk` over *tasks*, in order; at most two chunks per worker in flight (bounded memory)."""
    if workers <= 1:
        yield from map(make_chunk, tasks)
        return
    with ProcessPoolExecutor(workers) as pool:
        pending: deque = deque()
        for task in tasks:
            pending.append(pool.submit(make_chunk, task))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


# -- big and hostile text --------------------------------------------------------------

_LOG_LINE = ("{t} web-{n:04d} nginx[{pid}]: {when} [error] {pid}#0: *{req} connect() failed (111: Connection "
             "refused) while connecting to upstream, client: 203.0.113.{ip}, server: {d}, request: "
             "\"GET /{path} HTTP/1.1\", upstream: \"fastcgi://unix:/run/php/php8.2-fpm.sock:\", host: \"{d}\"\n")
_LOG_PATHS = ("panier", "commande/valider", "wp-login.php", "produits?page=3", "api/v1/stock", "checkout")


def pasted_log(nbytes: int, *, domain: str = "boutique-martin.example") -> str:
    """A customer's message of *nbytes* UTF-8 bytes: two lines asking for help, then a pasted nginx log."""
    rng = random.Random(f"oncall-bench-log-{nbytes}")
    head = (f"Bonjour, le site {domain} est en panne depuis ce matin, pouvez-vous regarder ? "
            "Voici le journal du serveur :\n\n")
    parts, size = [head], len(head.encode())
    t = datetime(2026, 11, 24, 6, 0, tzinfo=_UTC)
    while size < nbytes:
        t += timedelta(seconds=rng.randrange(1, 4))
        line = _LOG_LINE.format(t=t.isoformat()[:19] + "Z", n=rng.randrange(200), pid=rng.randrange(900, 4000),
                                when=t.strftime("%Y/%m/%d %H:%M:%S"), req=rng.randrange(10 ** 6),
                                ip=rng.randrange(1, 255), d=domain, path=_pick(_LOG_PATHS, rng.random))
        parts.append(line)
        size += len(line.encode())
    return "".join(parts).encode()[:nbytes].decode("ascii")


def long_word(letters: int) -> str:
    """A message that is one word of *letters* letters between a greeting and a thank-you."""
    rng = random.Random(f"oncall-bench-word-{letters}")
    word = "".join(rng.choice("abcdefghijklmnopqrstuvwxyzéèà") for _ in range(letters))
    return f"Bonjour, {word} merci"


# -- an interchange file for `oncall import` ---------------------------------------------------

def write_interchange(path: str | Path, nbytes: int, *, now: datetime) -> tuple[int, int]:
    """Write an interchange document (docs/import-format.md) of about *nbytes* at *path*.

    The store's synthetic customers and cases, with their events, as a helpdesk
    export would give them; written case by case, never held whole in memory.
    Returns (cases, events).
    """
    import json

    rng = random.Random(f"oncall-bench-import-{nbytes}")
    now_t = int(now.timestamp()) // 60 * 60
    customers = _customers(max(10, min(2000, nbytes // 100_000)), rng)
    incidents = {"INC-1": True, "INC-2": False}  # id -> still open
    dump = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    cases = events = 0
    with open(path, "w", encoding="utf-8") as f:
        f.write(f'{{"format":{dump(FORMAT)},"engineers":')
        f.write(dump([{"name": n, "region": r, "city": c, "timezone": tz} for n, r, c, tz in ENGINEERS]))
        f.write(',"customers":')
        f.write(dump([{"id": c[0], "name": c[1], "language": c[2], "timezone": c[3], "tier": c[4], "owner": c[5],
                       "assets": [{"kind": "server", "name": f"web-{i:04d}", "ipv4": f"10.{i // 250 % 250}.{i % 250}.10",
                                   "datacenter": "SBG"}]} for i, c in enumerate(customers)]))
        opened = _ts(now_t - 2 * 86400)
        f.write(',"incidents":')
        f.write(dump([{"id": i, "title": f"Incident {i}", "status": "investigating" if is_open else "resolved",
                       "opened_at": opened} for i, is_open in incidents.items()]))
        f.write(',"cases":[')
        written = f.tell()
        while written < nbytes:
            customer = customers[int(rng.random() * len(customers))]
            case_id, cid, subject, _tier, status, opened_t, assignee, incident, case_events = _case(
                cases, rng, customer, now_t, incidents)
            record = {"id": case_id.replace("B-", "I-"), "customer": cid, "subject": subject, "status": status,
                      "opened_at": _ts(opened_t), "assignee": assignee, "incident": incident,
                      "events": [{"id": f"{case_id.replace('B-', 'I-')}-e{n}", "at": _ts(t), "kind": kind,
                                  "direction": direction, "author": author, "author_region": region, "body": body,
                                  "channel": _CHANNELS.get(kind, "email")}
                                 for n, (kind, direction, author, region, body, t) in enumerate(case_events)]}
            f.write(("," if cases else "") + dump(record))
            written = f.tell()
            cases += 1
            events += len(case_events)
        f.write("]}\n")
    return cases, events
