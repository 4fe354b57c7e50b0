"""What the engineer is offered for each intent: a runbook, the built-in certificate action, or a plan by hand."""

from __future__ import annotations

import pytest

from oncall_tui.actions.certificate import CertificateAction
from oncall_tui.actions.runbooks import (
    load_runbooks,
    plan_lines,
    render_steps,
    shipped_runbook_dir,
    validate_params,
)
from oncall_tui.core.intents import INTENTS, Proposal, describe

from .models import by_hand, decode, load_rules, propose

SERVERS = ["web-01"]


def shipped():
    return load_runbooks([shipped_runbook_dir()])


def test_every_intent_has_a_runbook_the_certificate_action_or_a_plan_by_hand():
    rules = load_rules()
    served = {rb.intent for rb in shipped().values()} | {CertificateAction.intent}
    for intent in INTENTS:
        rule = rules.intents[intent]
        if rule.runbook:
            assert intent in served, f"{intent}: runbook = true but no runbook or action serves it"
            assert by_hand(intent) is None
        else:
            assert intent not in served, f"{intent}: a runbook serves it, drop runbook = false"
            assert by_hand(intent).startswith("no runbook yet: ")
            assert by_hand(intent, "fr").startswith("pas encore de runbook : ")


def test_every_runbook_intent_is_one_the_decoder_proposes():
    for rb in shipped().values():
        assert rb.intent in INTENTS, f"{rb.source}: intent {rb.intent!r} is never proposed by the decoder"


@pytest.mark.parametrize("runbook_id, raw", [
    ("certificate_check", {"domain": "boutique.fr"}),
    ("dns_check", {"domain": "café-martin.fr", "server": "web-01"}),
])
def test_new_read_only_runbooks_validate_and_render(runbook_id, raw):
    rb = shipped()[runbook_id]
    params = validate_params(rb, raw, servers=SERVERS)
    assert rb.confirm is False and not rb.dangerous and "read-only" in rb.title
    assert len(render_steps(rb, params)) == len(rb.steps)
    assert plan_lines(rb, params, "ssh web-01")[0].startswith(rb.title)


def test_plans_by_hand_for_mailbox_php_and_restore_say_what_to_do():
    mailbox = by_hand("mailbox")
    assert "password" in mailbox and "secure channel" in mailbox
    assert "PHP-FPM" in by_hand("php_version")
    assert "never over it" in by_hand("backup_restore")
    assert by_hand("backup_restore", "fr-CA") == by_hand("backup_restore", "fr")
    assert by_hand("backup_restore", "de") == by_hand("backup_restore", "en")
    assert by_hand("add_vhost") is None and by_hand("no_such_intent") is None


@pytest.mark.parametrize("intent", INTENTS)
def test_every_intent_is_described_in_english_and_french(intent):
    p = Proposal(intent, {"domain": "a.fr"}, 0.9, ())
    assert describe(p).endswith(" for a.fr")
    assert describe(p, "fr").endswith(" pour a.fr")


def test_a_dns_and_a_php_proposal_describe_their_parameters():
    assert describe(Proposal("dns_change", {"domain": "a.fr", "record": "aaaa"}, 0.9, ())) == \
        "change the DNS records (AAAA record) for a.fr"
    assert describe(Proposal("php_version", {"domain": "a.fr", "version": "8.3"}, 0.9, ()), "fr") == \
        "changer la version de PHP en PHP 8.3 pour a.fr"


def test_unsure_says_its_best_guess_and_proposes_nothing():
    d = decode("ftp ?")
    assert d.proposals == [] == propose("ftp ?")
    assert d.unsure is not None and d.unsure.intent == "add_vhost" and d.unsure.matched == ("ftp",)
    # The guess is named, not only the words it rests on.
    assert d.summary() == f"not sure: add a vhost? ({d.unsure.confidence:.2f}: 'ftp') — nothing suggested"


def test_a_closing_says_the_customer_reports_it_done():
    d = decode("Merci, le vhost fonctionne parfaitement, vous pouvez fermer le ticket.")
    assert d.proposals == [] and d.unsure is None
    assert d.summary() == "the customer says it is done ('fonctionne parfaitement') — nothing suggested"


def test_a_message_of_quotes_only_says_so():
    d = decode("> Pouvez-vous installer un certificat sur boutique.fr ?")
    assert d.proposals == [] and "only quotes" in d.summary()


def test_a_thanks_then_a_new_request_proposes_the_request():
    (p,) = propose("Le https marche très bien sur boutique.fr, merci ! Pouvez-vous aussi créer une base de données "
                   "pour le blog ?")
    assert p.intent == "create_database"


def test_a_renewal_is_not_also_a_first_issuance():
    assert [p.intent for p in propose("Le certificat SSL de boutique.fr a expiré, pouvez-vous le renouveler ?")] == [
        "renew_certificate"]


def test_a_restart_asked_for_comes_before_the_outage_it_fixes():
    intents = [p.intent for p in propose("Le site est down (502 bad gateway), pouvez-vous redémarrer php-fpm ?")]
    assert intents == ["restart_service", "site_down"]


@pytest.mark.parametrize("content, key", [
    pytest.param('[intents.mailbox]\nruntbook = false\n[intents.mailbox.phrases]\n"boite" = 0.5\n',
                 "intents.mailbox.runtbook", id="unknown-intent-key"),
    pytest.param('[intents.mailbox]\nrunbook = false\n[intents.mailbox.phrases]\n"boite" = 0.5\n',
                 "intents.mailbox.by_hand.en", id="runbook-less-without-a-plan"),
    pytest.param('[intents.mailbox]\nrunbook = "no"\n[intents.mailbox.phrases]\n"boite" = 0.5\n',
                 "intents.mailbox.runbook", id="runbook-not-a-boolean"),
    pytest.param('[intents.mailbox]\nhides = ["coffee"]\n[intents.mailbox.phrases]\n"boite" = 0.5\n',
                 "intents.mailbox.hides", id="hides-an-unknown-intent"),
    pytest.param('[intents.mailbox]\noutranks = ["mailbox"]\n[intents.mailbox.phrases]\n"boite" = 0.5\n',
                 "intents.mailbox.outranks", id="outranks-itself"),
    pytest.param('[intents.mailbox.phrases]\n"... boite" = 0.5\n', 'intents.mailbox.phrases."... boite"',
                 id="gap-at-the-start"),
])
def test_bad_decoder_rules_name_the_file_and_the_key(tmp_path, content, key):
    path = tmp_path / "site.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError) as err:
        load_rules(path)
    assert str(err.value).startswith(f"{path}: {key}: ")
