"""Only what the customer wrote is read: quoted replies, signatures and pasted logs are set aside, and counted."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncall_tui.core.lexicon import shouting_level
from oncall_tui.core.reading import read, set_aside_text

from .models import LEXICON


def found(text: str) -> list[str]:
    return [p.text for p in LEXICON.match(text)]


# --- quoted replies --------------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    "Merci, je teste ce soir.\n\nLe lun. 23 nov. 2026 à 14:02, Support <support@example.net> a écrit :\n"
    "> Pour toute URGENCE, appelez le 01 23 45 67 89\n> Incident critique ? Tapez 1.",
    "Thanks, I'll test after lunch.\n\nOn Tue, 24 Nov 2026 at 05:00, Sven <support@example.net> wrote:\n"
    "> URGENT: our homepage returns a 500 error, total outage!!!",
    "Thanks, I'll test after lunch.\n\nOn Tue, 24 Nov 2026 at 05:00, Sven Lindqvist from Support <\n"
    "support@example.net> wrote:\n> URGENT: total outage!!!",
    "Merci, je teste ce soir.\n\n-----Message d'origine-----\nDe : Support\nEnvoyé : lundi\n\nURGENT, panne critique",
    "Thanks, I'll test tonight.\n\nFrom: Support <support@example.net>\nSent: Monday, 23 November 2026 14:02\n"
    "To: Laure\nSubject: RE: down\n\nThis is unacceptable, the site is still down!!!",
    "Merci, je teste ce soir.\n\nDe : Support <support@example.net>\nEnvoyé : lundi 23 novembre 2026\n"
    "Objet : toujours pas\n\nC'est inadmissible !!!",
])
def test_quoted_replies_are_not_the_customers_words(body):
    r = read(body)
    assert found(r.text) == [] and shouting_level(r.text) == 0 and "!!!" not in r.text
    assert r.quoted >= 1


def test_a_from_line_alone_is_not_a_quote_header():
    r = read("From: 9 am the site is down again.\nPlease call me.")
    assert "down" in found(r.text) and r.quoted == 0


def test_quoted_lines_are_counted():
    r = read("Toujours pas.\n> ancien message\n> encore un\n>\nMerci")
    assert r.quoted == 2 and "ancien" not in r.text


@pytest.mark.parametrize("rule", ["---", "----------"])
def test_what_they_write_below_a_forwarded_block_closed_by_a_rule_is_read(rule):
    r = read("---------- Forwarded message ---------\nFrom: SiteWatch <alerts@sitewatch.example>\nDate: Tue, 12 Oct\n"
             "Subject: [SiteWatch] shop.example.ie is DOWN\n\nCRITICAL: connection refused\n" + rule + "\n"
             "Our shop is down since 6am, we lose every order.\n\nOn Mon, 11 Oct, Support wrote:\n> Planned maintenance",
             "Priya")
    assert "down" in found(r.text) and "CRITICAL" not in r.text and "maintenance" not in r.text
    assert r.quoted == 8 and "SiteWatch" in r.quoted_text


def test_a_forward_with_no_rule_below_stays_set_aside():
    r = read("FYI\n---------- Message transféré ---------\nDe : Alertes\nDate : lundi\n\nLe site est en panne !!!")
    assert found(r.text) == [] and "!!!" not in r.text and r.quoted == 4


# --- signatures --------------------------------------------------------------------------------

@pytest.mark.parametrize("body, author", [
    ("Merci pour votre retour rapide, tout fonctionne. Vous pouvez clore la demande.\n\nCordialement,\n"
     "Anne Dupuis\n-- \nCabinet Dupuis — Expertise comptable\nEn cas d'urgence : 06 12 34 56 78\n"
     "URGENT : pensez à nous transmettre vos pièces avant le 30 novembre !", "Anne"),
    ("Hi, can you confirm the backups for db-02 include our new 'analytics' database? Thanks\n\n"
     "Mark Evans | CFO | Evans & Pike LLP\nCONFIDENTIALITY NOTICE: THIS E-MAIL AND ANY ATTACHMENTS ARE "
     "CONFIDENTIAL. IF YOU ARE NOT THE INTENDED RECIPIENT, PLEASE NOTIFY THE SENDER IMMEDIATELY.", "Mark"),
    ("Hi, could you tell me when our hosting renewal is due? Thanks\n\nZoe\nZoe's Vintage\n"
     "!!! BLACK FRIDAY: 50% OFF EVERYTHING !!! Don't miss out, ends tonight!!!", "Zoe"),
    ("Bonjour, pouvez-vous créer un compte FTP ?\n\nBien cordialement,\nJP\nUrgences : 06 00 00 00 00", ""),
])
def test_signatures_are_not_the_customers_words(body, author):
    r = read(body, author)
    assert found(r.text) == [] and shouting_level(r.text) == 0 and "!!!" not in r.text
    assert r.signature >= 1


def test_a_signature_never_starts_the_message_and_long_tails_are_not_signatures():
    assert read("Merci\nmais le site est toujours en panne", "").text.startswith("Merci")
    body = "Bonjour,\nle site rame.\nCordialement,\n" + "\n".join(f"ligne {i} urgent" for i in range(15))
    assert read(body).signature == 0


def test_a_line_starting_with_the_authors_name_ends_the_message():
    r = read("Le site est en panne depuis ce matin.\n\nCaroline\nCabinet des Tilleuls — urgences 24/7", "Caroline")
    assert r.signature == 2 and "urgences" not in r.text


# --- pasted logs, code, traces ----------------------------------------------------------------

# (what the customer wrote before, the pasted lines, what they wrote after)
LOGS = {
    "mariadb": ("Le site répond mal, voici la fin du journal MariaDB :", [
        "2026-11-24  4:12:09 0 [ERROR] INNODB: WRITE TO FILE ./IBDATA1 FAILED AT OFFSET 79691776.",
        "2026-11-24  4:12:09 0 [ERROR] INNODB: ERROR NUMBER 28 MEANS 'NO SPACE LEFT ON DEVICE'",
        "2026-11-24  4:12:10 0 [WARNING] ABORTED CONNECTION 5123 TO DB: 'RESA' USER: 'RESA_APP'"],
        "Pouvez-vous regarder quand vous aurez un moment ?"),
    "java": ("The report is slow, I found this:", [
        "EXCEPTION IN THREAD \"SCHEDULER-3\" JAVA.LANG.OUTOFMEMORYERROR: JAVA HEAP SPACE",
        "\tAT JAVA.UTIL.ARRAYS.COPYOF(ARRAYS.JAVA:3512)", "\tAT JAVA.UTIL.ARRAYLIST.GROW(ARRAYLIST.JAVA:237)"],
        "Nothing to worry about."),
    "php": ("Page blanche, le mode debug affiche :", [
        "PHP WARNING:  UNDEFINED ARRAY KEY \"USER_ID\" IN /HOME/ASSO/WWW/PROFILE.PHP ON LINE 214",
        "PHP FATAL ERROR:  UNCAUGHT TYPEERROR: COUNT(): ARGUMENT #1 MUST BE OF TYPE COUNTABLE",
        "STACK TRACE:", "#0 /HOME/ASSO/WWW/WP-INCLUDES/CLASS-WP-HOOK.PHP(324): MP_RENDER_PROFILE()", "#1 {MAIN}"],
        "Je pense que c'est la mise à jour du plugin."),
    "syslog": ("FYI, these lines in the syslog:", [
        "Nov 24 06:41:17 app-03 kernel: EXT4-FS ERROR (DEVICE SDB1): READING DIRECTORY LBLOCK 0",
        "Nov 24 06:41:17 app-03 systemd[1]: FAILED TO START BACKUP-SYNC.SERVICE, THE DISK IS DOWN."],
        "Could you check the secondary disk?"),
    "script output in capitals": ("L'export a échoué. Voici la sortie du script :", [
        "!!! ERREUR !!! CONNEXION SFTP REFUSÉE PAR LE SERVEUR DISTANT (sftp.cabinet-morin.fr:22)",
        "!!! ÉCHEC DE L'EXPORT : 0 FICHIER TRANSFÉRÉ SUR 37 !!!",
        "*** FIN DU TRAITEMENT AVEC ERREURS (CODE 255) ***"],
        "Je peux relancer ce soir."),
    "smtp bounce": ("Some mail bounces. Example below:", [
        "<accounts@harlow.co.uk>: host mx.example-mail.net[192.0.2.40] said:",
        "    550 5.7.1 SERVICE UNAVAILABLE; CLIENT HOST [203.0.113.25] BLOCKED USING URGENT LIST",
        "    ZEN.SPAMHAUS.ORG (IN REPLY TO RCPT TO COMMAND)"],
        "Looks like the relay IP is listed."),
    "code": ("My nginx config:", ["server {", "    listen 80;", "    server_name shop.example.org;", "}"],
             "Is it right?"),
    "log without levels": ("Access log:", ["10.0.0.1 - - GET /a 200", "10.0.0.2 - - GET /b 500",
                                           "10.0.0.3 - - GET /c 500"], ""),
}


@pytest.mark.parametrize("name", LOGS)
def test_pasted_logs_code_and_traces_are_set_aside(name):
    before, pasted, after = LOGS[name]
    r = read(f"{before}\n\n" + "\n".join(pasted) + f"\n\n{after}")
    assert r.log == len(pasted), r.text
    assert not any(line in r.text for line in pasted)
    assert before in r.text and after in r.text
    assert shouting_level(r.text) == 0 and "!!!" not in r.text
    assert [p for p in found(r.text) if p in ("urgent", "down", "critical")] == []


@pytest.mark.parametrize("body", [
    "LE SITE NE MARCHE TOUJOURS PAS, RÉPONDEZ-MOI !!!",
    "MON SITE EST EN PANNE\nRAPPELEZ MOI VITE !!!",
    "Je répète :\nJE VEUX LE CADENAS\nC'EST PAS COMPLIQUÉ",
    "!!! URGENT !!!\nLE SITE EST EN PANNE DEPUIS 3 HEURES",
    "ÇA FAIT 4 HEURES !!! je repete : je veux juste le cadenas sur boutique-martin.fr",
])
def test_a_person_shouting_is_not_a_log(body):
    r = read(body)
    assert r.log == 0 and r.text == body
    assert shouting_level(r.text) > 0


def test_a_list_of_questions_after_a_colon_is_read():
    body = "Mes questions :\n  - pourquoi le site est en panne ?\n  - quand revient-il ?\n"
    assert read(body).log == 0


# --- the explanation ---------------------------------------------------------------------------

def test_what_was_set_aside_reads_as_one_line():
    assert set_aside_text(40, 0, 0) == "40 quoted lines not read"
    assert set_aside_text(0, 3, 40) == "40 lines of pasted log or code and 3 signature lines not read"
    assert set_aside_text(12, 1, 1) == ("1 line of pasted log or code, 12 quoted lines and 1 signature line "
                                        "not read")
    assert set_aside_text(0, 0, 0) == ""


# --- hostile input ------------------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list("aZ09 :>-!*#[](){};/\t\n.@") + [
    "On ", " wrote:", "De : ", "Envoyé :", "-- ", "---", "-- Forwarded message --", "Cordialement", "ERROR", "PHP ", "Anne", "\n"]), max_size=120)
       .map("".join), st.sampled_from(["", "Anne", "a@b.c"]))
def test_any_text_reads_to_a_part_of_itself(body, author):
    r = read(body, author)
    assert len(r.text) <= len(body)
    assert all(line in body for line in r.text.split("\n"))
    assert min(r.quoted, r.signature, r.log) >= 0


def test_a_huge_message_is_read_only_as_far_as_the_cap():
    body = "Le site est en panne.\n" + "2026-11-24 04:12:09 [ERROR] write failed\n" * 100_000
    r = read(body)
    assert r.text.startswith("Le site est en panne.") and r.log > 50


@pytest.mark.parametrize("body", [
    "Notice: our site is down since 9am.",
    "Warning: the certificate expires tomorrow!",
    "Info: we moved offices, please update our address.",
])
def test_a_sentence_that_starts_like_a_log_level_is_read(body):
    assert read(body).log == 0 and read(body).text == body


@pytest.mark.parametrize("body, lines", [
    ("nginx says:\n2026/11/23 13:58:41 [error] 2211#2211: connect() failed\n"
     "2026/11/23 13:58:42 [error] 2211#2211: connect() failed\n\nThanks", 2),
    ("Voici :\nERROR 1045 (28000): ACCESS DENIED FOR USER 'ROOT'@'LOCALHOST'\n\nmerci", 1),
    ("Voici :\nWarning: mysqli_connect(): Connection refused in /var/www/db.php on line 12\n"
     "Fatal error: Uncaught Error in /var/www/db.php:14\n", 2),
    ("curl says:\nHTTP/1.1 502 Bad Gateway\nServer: nginx\nDate: Tue, 24 Nov 2026\n\nhelp", 3),
    ('App log:\n{"level":"error","msg":"db down","ts":1}\n{"level":"error","msg":"db down","ts":2}\n', 2),
])
def test_more_log_shapes_are_set_aside(body, lines):
    assert read(body).log == lines


@pytest.mark.parametrize("body", ["Le site est en panne !\n\nEnvoyé de mon iPhone",
                                  "The site is down.\n\nSent from my iPhone\nURGENT URGENT URGENT"])
def test_a_phone_footer_is_a_signature(body):
    r = read(body)
    assert r.signature >= 1 and "iPhone" not in r.text


# --- what a pasted error says ------------------------------------------------------------------

def test_what_an_error_page_or_a_command_answered_is_kept_apart_from_a_logs_history():
    body = ("Since 7:30 every page of our site shows:\n\n"
            "  Service Unavailable\n"
            "  The server is temporarily unable to service your request due to capacity problems.\n\n"
            "And in the log:\n"
            "2026-11-24 07:31:02 [error] 1234#0: upstream timed out (110: Connection timed out)\n"
            "2026-11-24 07:31:09 [error] 1234#0: upstream timed out (110: Connection timed out)\n\n"
            "Can you look?")
    r = read(body)
    assert "Service Unavailable" not in r.text and "Service Unavailable" in r.pasted
    assert "timed out" not in r.pasted  # time-stamped entries: what happened, not what it shows now
    assert r.log == 4


def test_a_message_without_a_pasted_log_has_nothing_pasted():
    assert read("Our site is down since this morning, can you look?").pasted == ""


@pytest.mark.parametrize("body, said", [
    ("Très belles fêtes à vous.\n\nCatherine Delmas\nDirectrice des opérations\n\nP.S. : la base de production est "
     "en lecture seule depuis 15h.", "la base de production est en lecture seule"),
    ("Thanks for a great year!\n\nBest regards,\nTom\n\nPS - the backup job has failed three nights in a row.",
     "the backup job has failed"),
    ("Merci pour tout.\n\nCordialement,\nLéa\n\nP.-S. Le certificat expire demain.", "Le certificat expire demain"),
])
def test_a_postscript_below_the_signature_is_the_writer_s_own_words(body, said):
    r = read(body, "Catherine Delmas")
    assert said in r.text and r.signature >= 1
    assert "Directrice" not in r.text and "Best regards" not in r.text


def test_a_powershell_prompt_below_a_signature_is_no_postscript():
    r = read("Voici la sortie.\n\nCordialement,\nLéa\n\nPS C:\\Users\\lea> Get-Service", "Léa")
    assert "Get-Service" not in r.text
