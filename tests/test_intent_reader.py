"""The decoder's reader (issue 16): what the product proposes for customers' own phrasings, how sure it says
it is, what it does when unsure, and that the shipped weights are what the tune messages train — never the
held-out ones."""

from __future__ import annotations

import copy
import gzip
import json

import numpy as np
import pytest

from devtools.decoder_eval import load_corpus, part
from devtools.train_reader import compare, encode, ids_digest, train, tune_rows
from oncall_tui.core import intents
from oncall_tui.core.intent_reader import NONE, Reader, ReaderError, load_reader
from oncall_tui.resources import data_file
from oncall_tui.store.importer import import_document
from oncall_tui.usecases import actions
from oncall_tui.usecases.models import READER_FILE, shipped_reader, shipped_rules

from .conftest import NOW, open_session, open_store

RULES, READER = shipped_rules(), shipped_reader()


def read(text: str, known=()) -> intents.Decoding:
    """What the product reads: the rules and the shipped reader."""
    return intents.decode(text, rules=RULES, known_domains=known, reader=READER)


# ---------------------------------------------------------------- what a customer's words propose

@pytest.mark.parametrize("text, known, intent, domain", [
    # Requests without the action's keyword (the list, in words of our own).
    ("Bonjour, on vient d'acheter le nom lesjardinsdemarie.fr, vous pouvez mettre notre site dessus ?",
     ["jardins-marie.fr"], "add_vhost", "lesjardinsdemarie.fr"),
    ("Il me faudrait une DB pour la nouvelle boutique svp, merci", ["boutique-lune.fr"], "create_database",
     "boutique-lune.fr"),
    ("la partition est pleine sur le serveur de atelier-bois.fr, plus rien ne s'enregistre", ["atelier-bois.fr"],
     "disk_usage", "atelier-bois.fr"),
    ("Hi, our nightly backups keep failing with 'no space left on device'. Can you have a look?",
     ["greenway-tools.co.uk"], "disk_usage", "greenway-tools.co.uk"),
    ("Could you make us a full copy of the production shop so the new staff can practise on it?",
     ["cornerbakery.ie"], "clone_environment", None),
    # A domain just bought, named only in the registrar's mail they forward.
    ("Bought this one for the summer festival, could you add it to our hosting so it shows our site?\n\n"
     "---------- Forwarded message ----------\nFrom: Registrar <no-reply@registrar.example>\n"
     "Subject: Registration complete - kilkee-sea-fest.ie\n\nkilkee-sea-fest.ie has been registered for 1 year.\n"
     "Nameservers: ns1.hosting.example, ns2.hosting.example.", ["kilkeesurf.ie"], "add_vhost", "kilkee-sea-fest.ie"),
    # A wildcard is a certificate: what a renewal acts on is named.
    ("Rappel : notre wildcard *.atelier-bois.fr expire le 14 juin, pouvez-vous le renouveler cette semaine ?",
     ["atelier-bois.fr"], "renew_certificate", "atelier-bois.fr"),
    ("Quick reminder: the wildcard for *.harbourprint.co.uk runs out on 3 July. Could you renew it?",
     ["harbourprint.co.uk"], "renew_certificate", "harbourprint.co.uk"),
    # The site named as the one to copy is not the one to act on.
    ("Pourriez-vous faire en sorte que chevrerie-dumas.com montre le même site que chevrerie-dumas.fr ? On l'a "
     "acheté pour les clients qui se trompent.", ["chevrerie-dumas.fr", "chevrerie-dumas.com"], "add_vhost",
     "chevrerie-dumas.com"),
    ("Please point mossgardens.com at the same website as mossgardens.ie, people keep typing the .com.",
     ["mossgardens.ie", "mossgardens.com"], "add_vhost", "mossgardens.com"),
])
def test_a_request_without_the_action_s_keyword_is_read(text, known, intent, domain):
    reading = read(text, known)
    assert reading.proposals, reading.summary()
    top = reading.proposals[0]
    assert top.intent == intent
    if domain:
        assert top.params.get("domain") == domain


@pytest.mark.parametrize("text", [
    "Merci, le nouveau vhost fonctionne, vous pouvez fermer le ticket.",
    "Thanks a lot, the certificate is installed and the padlock shows. All good, close it.",
    "Super, la base de données est bien créée, merci pour la rapidité !",
    "Bonjour, pourriez-vous m'envoyer la facture de novembre ? Merci",
])
def test_a_thank_you_or_a_billing_question_that_names_an_action_proposes_nothing(text):
    reading = read(text, ["boutique-lune.fr"])
    assert reading.proposals == []
    assert "nothing suggested" in reading.summary()


@pytest.mark.parametrize("text, known", [
    ("Bonjour, notre nom de domaine boulangerie-x.fr expire le 3 janvier, pouvez-vous le renouveler ?",
     ["boulangerie-x.fr"]),
    ("Our domain example-shop.co.uk is due for renewal, please renew it for 2 years.", ["example-shop.co.uk"]),
])
def test_a_domain_name_s_renewal_is_no_certificate_to_renew(text, known):
    # The reader is sure of "renew", not of what: a certificate named (or what one shows) is required.
    decoding = read(text, known)
    assert decoding.proposals == [] and decoding.unsure is None
    assert decoding.summary() == f"'renew the certificate for {known[0]}' read, but nothing it acts on is named — " \
                                 "nothing suggested"
    certificate = read(text.replace("nom de domaine", "certificat SSL").replace("Our domain", "Our certificate for"),
                       known)
    assert [p.intent for p in certificate.proposals] == ["renew_certificate"]


def test_a_proposal_shows_its_confidence_and_the_customer_s_words_as_written():
    text = "Bonjour, on vient d'acheter le nom Lesjardinsdemarie.fr, vous pouvez mettre notre site dessus ?"
    top = read(text).proposals[0]
    assert READER.threshold <= top.confidence <= 1.0
    assert top.matched and all(word in text for word in top.matched)


# ---------------------------------------------------------------- unsure: nothing, and says so

def _reader(probability_of_vhost: float, threshold: float) -> Reader:
    """A reader that reads no n-gram: its intercepts alone say how likely add_vhost is."""
    import math

    logit = math.log(probability_of_vhost / (1 - probability_of_vhost))
    return Reader(classes=("add_vhost", NONE), ngram_range=(2, 5), index={}, word_range=(1, 2), word_index={},
                  idf=[], weights=([], []),
                  intercepts=(logit / 2, -logit / 2), threshold=threshold, trained_on={})


def test_under_its_threshold_the_reader_proposes_nothing_and_names_its_guess():
    text = "Pouvez-vous ajouter un vhost pour lesjardinsdemarie.fr ?"
    sure = intents.decode(text, rules=RULES, reader=_reader(0.9, threshold=0.5))
    assert [p.intent for p in sure.proposals] == ["add_vhost"]
    assert sure.proposals[0].params["domain"] == "lesjardinsdemarie.fr"
    unsure = intents.decode(text, rules=RULES, reader=_reader(0.9, threshold=0.95))
    assert unsure.proposals == [] and unsure.unsure.intent == "add_vhost"
    assert unsure.summary().startswith("not sure: add a vhost") and unsure.summary().endswith("nothing suggested")
    assert "'vhost'" in unsure.summary()  # the words it read


def test_a_pair_of_words_the_reader_learnt_is_shown_by_the_words_that_carry_it():
    # A reader that knows only the pairs "de place" and "disque plein": their words are the evidence, and nothing
    # else is, but "de" tells an engineer nothing and is left out.
    reader = Reader(classes=("disk_usage", NONE), ngram_range=(2, 5), index={}, word_range=(1, 2),
                    word_index={"de place": 0, "disque plein": 1}, idf=np.array([1.0, 1.0]),
                    weights=np.array([[3.0, -3.0], [3.0, -3.0]]), intercepts=np.array([0.0, 0.0]), threshold=0.5,
                    trained_on={})
    text = "il n'y a plus de place sur le disque plein"
    assert reader.read(text).best == "disk_usage"
    assert set(reader.evidence(text, "disk_usage")) == {"place", "disque", "plein"}
    assert reader.read("il y a de la place").best == NONE  # the same words apart are not the pair


def test_when_the_reader_reads_no_request_the_rules_guess_is_only_shown_as_unsure():
    text = "Pouvez-vous ajouter un vhost pour lesjardinsdemarie.fr ?"
    reading = intents.decode(text, rules=RULES, reader=_reader(0.3, threshold=0.2))
    assert reading.proposals == []
    assert reading.unsure is not None and reading.unsure.intent == "add_vhost"


# ---------------------------------------------------------------- a chase reads the request it chases

def _chase_doc(latest: str) -> dict:
    return {
        "engineers": [{"name": "alice", "region": "EMEA", "city": "Paris", "timezone": "Europe/Paris"}],
        "customers": [{"id": "c-fleur", "name": "Fleurs Dubois", "language": "fr", "timezone": "Europe/Paris",
                       "tier": "standard", "owner": "alice",
                       "assets": [{"kind": "domain", "name": "fleurs-dubois.fr"}]}],
        "cases": [{"id": "T-7", "customer": "c-fleur", "subject": "site", "status": "open",
                   "opened_at": "2026-11-24T03:00:00Z", "assignee": "alice", "events": [
                       {"at": "2026-11-24T03:00:00Z", "kind": "message", "direction": "in", "author": "anne",
                        "body": "Bonjour, il me faudrait une base MySQL pour la nouvelle boutique. Merci !"},
                       {"at": "2026-11-24T03:30:00Z", "kind": "message", "direction": "out", "author": "kenji",
                        "body": "Please see our documentation."},
                       {"at": "2026-11-24T05:00:00Z", "kind": "message", "direction": "in", "author": "anne",
                        "body": latest}]}],
    }


@pytest.fixture
def suggest_after(store_path):
    """What the suggestion reads in the chase case once the customer's latest message is *latest*."""
    def suggest(latest: str):
        s = open_store(store_path)
        import_document(s, _chase_doc(latest), now=NOW)
        s.close()
        session = open_session(store_path)
        try:
            return actions.suggestion(session, "T-7")
        finally:
            session.close()
    return suggest


DEV_REQUEST = ("\n\n> From: Malo <malo.dev@proton.me>\n> Subject: base pour la newsletter\n>\n> I need a MySQL 8 "
               "database and a user with full privileges on it, for the new newsletter module of "
               "lesallumeurs-theatre.fr.\n> Malo")


@pytest.mark.parametrize("pointer", [
    "Je vous transfère tel quel la demande de notre développeur, je n'y connais rien :",
    "Forwarding what our volunteer dev sent me, I hope it makes more sense to you than to me!",
    "Hi again,\n\nKev's latest, forwarded:",
    "Voilà ce qu'ils nous disent, vous pouvez voir ça ?",
])
def test_a_request_they_forward_with_only_a_pointer_above_it_is_theirs(pointer):
    [p] = intents.propose(pointer + DEV_REQUEST, rules=RULES, known_domains=["lesallumeurs-theatre.fr"], reader=READER)
    assert (p.intent, p.params, p.quoted) == ("create_database", {"domain": "lesallumeurs-theatre.fr"}, True)


def test_a_forward_with_a_from_and_a_subject_but_no_date_is_set_aside_from_their_words():
    text = ("Merci de faire le nécessaire pour dj-fisc.be, voir ci-dessous.\n\nMarc Deprez\n\n"
            "De : FiscoSync Support <support@fiscosync.eu>\nObjet : Mise à jour connecteur v5 – prérequis\n"
            "Madame, Monsieur, à partir du 1er avril le connecteur v5 exige PHP 8.2 au minimum sur votre "
            "hébergement. Merci de demander la mise à jour de la version de PHP à votre hébergeur.")
    [p] = intents.propose(text, rules=RULES, known_domains=["dj-fisc.be"], reader=READER)
    assert (p.intent, p.params, p.quoted) == ("php_version", {"domain": "dj-fisc.be", "version": "8.2"}, True)


def test_a_chase_that_asks_nothing_new_is_read_with_the_request_it_chases(suggest_after):
    found = suggest_after("Alors, ça avance ? Je n'ai toujours rien et votre lien ne m'aide pas.")
    assert found is not None and found.proposal is not None
    assert found.proposal.intent == "create_database"
    assert "asked in their message of 24 Nov 03:00" in found.text()


def test_a_yes_to_our_quoted_offer_says_the_request_was_read_in_the_quote(suggest_after):
    found = suggest_after("Oui, allez-y.\n\nLe 24 nov. 2026 à 04:30, Support a écrit :\n> Souhaitez-vous que nous "
                          "créions la base de données MySQL de la boutique pour vous ?")
    assert found is not None and found.proposal is not None and found.proposal.intent == "create_database"
    assert "read in the quote they said yes to" in found.text()
    assert "asked in their message" not in found.text()  # the latest message said it, through its quote


def test_a_yes_is_read_with_the_plan_it_says_yes_to_not_alone():
    # Alone, "take option 1" read as a bigger plan, ahead of the new site quoted below it.
    decoding = read("We'll take option 1, go ahead please.\n\nOn Mon 12 May, Support wrote:\n"
                    "> For your new domain kiln-and-co.ie there are two ways:\n"
                    "> 1) we add it as a new site on your current hosting, at no extra cost\n"
                    "> 2) you order a second hosting plan\n> Which do you prefer?", ["kilnstudio.ie", "kiln-and-co.ie"])
    assert [(p.intent, p.params, p.quoted) for p in decoding.proposals] == [
        ("add_vhost", {"domain": "kiln-and-co.ie"}, True)]


def test_a_site_they_name_above_a_yes_stays_theirs_not_the_signature_s():
    decoding = read("Le bureau a validé : il faudrait créer le sous-site nord.theatre-amateur.fr, vide pour "
                    "l'instant.\n\nCordialement,\nJean Morel\nThéâtre amateur – 01 40 00 00 00\n"
                    "theatre-amateur.fr · festival-theatre-amateur.fr",
                    ["theatre-amateur.fr", "festival-theatre-amateur.fr"])
    assert [(p.intent, p.params.get("domain")) for p in decoding.proposals] == [
        ("add_vhost", "nord.theatre-amateur.fr")]


def test_a_thank_you_does_not_bring_back_the_request_it_thanks_for(suggest_after):
    found = suggest_after("C'est bon, la base fonctionne, merci beaucoup, vous pouvez fermer le ticket.")
    assert found is None or found.proposal is None


# ---------------------------------------------------------------- the shipped weights are honest

@pytest.fixture(scope="module")
def trained():
    """A fresh training on the tune messages (scikit-learn), as `devtools/train_reader.py` does it."""
    pytest.importorskip("sklearn")
    rows = tune_rows()
    content, fitted = train(rows, RULES)
    return rows, content, fitted


def test_the_reader_reads_exactly_as_the_trained_scikit_learn_model(trained):
    _, content, fitted = trained
    reader = load_reader(encode(content), "fresh")
    texts = fitted["texts"][::5]
    expected = fitted["model"].predict_proba(texts)
    classes = list(fitted["model"].classes_)
    worst = max(abs(reader.read(t).probabilities[c] - row[i]) for t, row in zip(texts, expected)
                for i, c in enumerate(classes))
    assert worst < 1e-3


def test_the_shipped_reader_is_what_the_tune_messages_train(trained):
    rows, content, fitted = trained
    assert compare(READER, load_reader(encode(content), "fresh"), fitted["texts"]) == []


def test_a_retrained_model_file_is_told_from_the_shipped_one():
    """The check of the shipped file tolerates the floats of another machine, not another training: weights
    moved by 0.05 (C=100 against C=50 moves them by tenths) are reported."""
    content = _shipped_content()
    content["weights"][0] = [w + 0.05 for w in content["weights"][0]]
    moved = load_reader(encode(content), "moved")
    texts = [r["text"] for r in tune_rows()[:50]]
    assert compare(READER, moved, texts)[0] == "weights differ by up to 0.0500"
    assert compare(READER, load_reader(encode(_shipped_content()), "same"), texts) == []


def test_the_shipped_reader_never_learnt_a_held_out_message():
    tune = tune_rows()
    heldout = {r["id"] for r in part(load_corpus(), "heldout")}
    assert READER.trained_on["ids_sha256"] == ids_digest(r["id"] for r in tune)
    assert READER.trained_on["messages"] == len(tune)
    assert heldout and not heldout & {r["id"] for r in tune}


# ---------------------------------------------------------------- a broken model file says what is wrong

def _shipped_content() -> dict:
    return json.loads(gzip.decompress(data_file(READER_FILE).read_bytes()))


@pytest.mark.parametrize("damage, reason", [
    (lambda c: c.update(format=99), "unknown model format 99"),
    (lambda c: c["weights"].pop(), "weight columns"),
    (lambda c: c["idf"].pop(), "IDF or weight columns of another length"),
    (lambda c: c["word_idf"].pop(), "IDF or weight columns of another length"),
    (lambda c: c.pop("word_grams"), "missing or malformed field"),
    (lambda c: c.update(word_ngram_range=[2, 1]), "word n-gram range 2-1"),
    (lambda c: c.pop("grams"), "missing or malformed field"),
    (lambda c: c.update(classes=[x if x != NONE else "other" for x in c["classes"]]), "no 'none' class"),
    (lambda c: c.update(threshold=3), "is not a probability"),
])
def test_a_damaged_model_file_names_the_file_and_the_reason(damage, reason):
    content = copy.deepcopy(SHIPPED)
    damage(content)
    with pytest.raises(ReaderError) as info:
        load_reader(encode(content), "site/reader.json.gz")
    assert str(info.value).startswith("site/reader.json.gz: ") and reason in str(info.value)


def test_a_truncated_model_file_names_the_file():
    data = data_file(READER_FILE).read_bytes()
    with pytest.raises(ReaderError, match=r"^x\.gz: not a reader model file"):
        load_reader(data[: len(data) // 2], "x.gz")


SHIPPED = _shipped_content()


def test_the_not_sure_threshold_is_the_most_cautious_of_those_scoring_best():
    from devtools.train_reader import choose_threshold

    classes = ["none", "php_version"]
    probs = [[0.1, 0.9], [0.4, 0.6], [0.6, 0.4], [0.7, 0.3], [0.5, 0.5]]
    labels = ["php_version", "php_version", "none", "none", "none"]
    # Under 0.4 the third message's weak "php_version" is suggested, wrongly; from 0.5 to 0.6 every answer is
    # right; above 0.6 a right suggestion is lost. The highest of the best scoring thresholds is kept.
    assert choose_threshold(probs, labels, classes) == (0.6, 1.0)


def test_the_not_sure_threshold_does_not_leave_requests_as_nothing_to_do_to_avoid_one_wrong_suggestion():
    from devtools.train_reader import choose_threshold

    classes = ["none", "php_version"]
    probs = [[0.1, 0.9], [0.45, 0.55], [0.42, 0.58], [0.48, 0.52]]
    labels = ["php_version", "php_version", "none", "php_version"]
    # At 0.9 and at 0.52 right answers minus wrong suggestions are the same (2). At 0.9 two of the three messages
    # left with "nothing to do" are requests (precision 1/3); at 0.52 nothing is left so, and 3 of 4 suggestions
    # are right: the least precise side is the most precise it can be.
    tau, accuracy = choose_threshold(probs, labels, classes)
    assert (tau, accuracy) == (0.52, 0.75)
