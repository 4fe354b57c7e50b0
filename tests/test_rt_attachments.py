"""Files customers sent, from a real Request Tracker 5 (tests/servers/rt_world.py): named in the history,
found by search, in the interchange format, fetched on demand into a private file, never opened."""

from __future__ import annotations

import hashlib
import json
import stat

from oncall_tui.cli import main

from .conftest import open_session
from .servers.rt_world import (
    FILES,
    JEAN,
    LUKAS,
    MARIE,
    PEOPLE,
    Person,
    customer_message,
    source_table,
    write_config,
)


def oncall(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def config(rt_server, shared_token, tmp_path, **extra):
    return write_config(tmp_path / "config.toml", source_table(rt_server.base_url, shared_token, **extra))


def test_a_message_names_its_files_with_type_and_size(world_store, rt_world, capsys):
    code, out, err = oncall(capsys, "--db", world_store, "history", MARIE, "--json")
    sent = [e for e in json.loads(out)["events"] if e["attachments"]]

    assert code == 0, err
    invoice = next(e for e in sent if e["case_id"] == f"RT-{rt_world.ticket('invoice-fr').id}")
    pdf_type, pdf = FILES["facture-2026-03.pdf"]
    assert invoice["attachments"] == [{"name": "facture-2026-03.pdf", "type": pdf_type, "size": len(pdf)}]
    assert invoice["body"].startswith("Bonjour, pourriez-vous vérifier la facture ci-jointe")
    screenshot = next(e for e in sent if e["case_id"] == f"RT-{rt_world.ticket('screenshot').id}")
    assert [a["name"] for a in screenshot["attachments"]] == ["capture écran 500.png"]


def test_a_log_sent_as_a_file_is_listed_not_taken_for_the_message(world_store, rt_world, capsys):
    ticket = rt_world.ticket("502").id
    code, out, err = oncall(capsys, "--db", world_store, "attachment", "list", f"RT-{ticket}", "--json")
    files = json.loads(out)["attachments"]
    history = json.loads(oncall(capsys, "--db", world_store, "history", "tom.okafor@harbourpine.co.uk",
                                "--json")[1])

    assert code == 0, err
    assert [(f["name"], f["type"], f["author"]) for f in files] == [
        ("nginx-error.log", "text/plain", "tom.okafor@harbourpine.co.uk")]
    mail = next(e for e in history["events"] if e["attachments"])
    assert mail["body"] == "Here is the log from web-03." and "upstream timed out" not in mail["body"]


def test_search_finds_a_message_by_the_name_of_its_file(world_store, rt_world, capsys):
    code, out, err = oncall(capsys, "--db", world_store, "search", "facture-2026-03.pdf", "--json")
    hits = json.loads(out)["hits"]
    accents = json.loads(oncall(capsys, "--db", world_store, "search", "capture ecran", "--json")[1])["hits"]

    assert code == 0, err
    assert hits[0]["case_id"] == f"RT-{rt_world.ticket('invoice-fr').id}"
    assert hits[0]["snippet_text"] == "attachment facture-2026-03.pdf"
    assert accents[0]["case_id"] == f"RT-{rt_world.ticket('screenshot').id}"  # accents and case ignored


def test_attachment_get_saves_the_exact_file_readable_by_its_owner_only(world_store, rt_world, rt_server,
                                                                        shared_token, tmp_path, capsys):
    cfg = config(rt_server, shared_token, tmp_path)
    out_dir = tmp_path / "files"
    out_dir.mkdir()
    case = f"RT-{rt_world.ticket('screenshot').id}"

    code, out, err = oncall(capsys, "--db", world_store, "--config", cfg, "attachment", "get", case,
                            "capture écran 500.png", "--out", out_dir)

    saved = out_dir / "capture écran 500.png"
    assert code == 0, err
    assert out.strip().endswith("not opened")
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == rt_world.ticket("screenshot").files[
        "capture écran 500.png"][2]
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert [p.name for p in out_dir.iterdir()] == ["capture écran 500.png"]  # no temporary file left

    again = oncall(capsys, "--db", world_store, "--config", cfg, "attachment", "get", case, "capture",
                   "--out", out_dir)
    assert again[0] == 2 and "exists already; nothing was saved" in again[2]


def test_a_file_over_the_size_cap_is_refused_before_anything_is_downloaded(world_store, rt_world, rt_server,
                                                                           shared_token, tmp_path, capsys):
    cfg = config(rt_server, shared_token, tmp_path, attachment_max_mb=0.1)
    out_dir = tmp_path / "files"
    out_dir.mkdir()
    case = f"RT-{rt_world.ticket('backup-de').id}"

    code, out, err = oncall(capsys, "--db", world_store, "--config", cfg, "attachment", "get", case,
                            "backup-2026-03.tar.gz", "--out", out_dir)
    bigger = oncall(capsys, "--db", world_store, "--config", cfg, "attachment", "get", case,
                    "backup-2026-03.tar.gz", "--out", out_dir, "--max-mb", "1")

    assert code == 2 and "is 300 KB, over the 102 KB limit" in err and "nothing was saved" in err
    assert bigger[0] == 0, bigger[2]
    assert (out_dir / "backup-2026-03.tar.gz").stat().st_size == 300 * 1024


def test_a_file_name_chosen_by_the_customer_never_leaves_the_folder(rt_server, rt_world, queue, shared_token,
                                                                    tmp_path, capsys):
    hostile = "../../.bashrc\x1b[31m"
    FILES[hostile] = ("text/plain", b"echo pwned\n")
    try:
        rt_server.mail(queue, customer_message(PEOPLE[LUKAS], "Datei", "Siehe Anhang.", (hostile,)))
    finally:
        del FILES[hostile]
    cfg = config(rt_server, shared_token, tmp_path, queues=[queue])
    db, out_dir = tmp_path / "oncall.db", tmp_path / "files"
    out_dir.mkdir()
    assert oncall(capsys, "--db", db, "--config", cfg, "sync", "--once")[0] == 0
    (case,) = [c["id"] for c in json.loads(oncall(capsys, "--db", db, "history", LUKAS, "--json")[1])["cases"]]

    code, out, err = oncall(capsys, "--db", db, "--config", cfg, "attachment", "get", case, "bashrc",
                            "--out", out_dir)

    assert code == 0, err
    assert [p.name for p in out_dir.iterdir()] == ["bashrc_[31m"]  # inside the folder, no dot file, no escape
    assert not (tmp_path / ".bashrc").exists()
    assert "\x1b" not in out  # the name is printed with its control characters made visible


def test_attachments_survive_export_and_import(world_store, rt_world, tmp_path, capsys):
    exported = tmp_path / "export.json"
    code, out, err = oncall(capsys, "--db", world_store, "export", "--format", "json")
    assert code == 0, err
    exported.write_text(out)
    copy = tmp_path / "copy.db"
    assert oncall(capsys, "--db", copy, "import", exported)[0] == 0

    def files(db):
        store = open_session(db).store
        try:
            return [tuple(r) for r in store.query("SELECT event_id, position, name, content_type, size, ref "
                                                  "FROM attachments ORDER BY event_id, position")]
        finally:
            store.close()

    original = files(world_store)
    assert len(original) == sum(len(t.files) for t in rt_world.tickets.values()) == 6
    assert files(copy) == original
    assert oncall(capsys, "--db", copy, "export", "--format", "json")[1] == out  # and out again, the same


def test_a_customer_who_sends_only_a_file_has_an_empty_message_with_the_file(rt_server, rt_world, queue,
                                                                            shared_token, tmp_path, store_path,
                                                                            capsys):
    rt_server.mail(queue, customer_message(Person(JEAN, "Jean Martin"), "Facture", "", ("facture-2026-03.pdf",)))
    cfg = config(rt_server, shared_token, tmp_path, queues=[queue])
    db = store_path
    assert oncall(capsys, "--db", db, "--config", cfg, "sync", "--once")[0] == 0

    (event,) = [e for e in json.loads(oncall(capsys, "--db", db, "history", JEAN, "--json")[1])["events"]
                if e["attachments"]]
    assert event["body"] == "" and event["attachments"][0]["name"] == "facture-2026-03.pdf"
