"""Reading when a promise of ours says we will come back: the moment it names, in the customer's time."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oncall_tui.core.deadline import (
    FARTHEST_DUE,
    LONGEST,
    committed_by,
    customer_due,
    expires_by,
    fills_at_pace,
    fills_by,
    owed_by,
    promised_by,
    storage_used,
)

PARIS = ZoneInfo("Europe/Paris")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=PARIS)  # a Monday, 10:00 in Paris


@pytest.mark.parametrize("reply, expected", [
    ("Je vous donne des nouvelles avant 14h.", datetime(2026, 11, 23, 14, 0)),
    ("I'll confirm by 15:00 CET today.", datetime(2026, 11, 23, 15, 0)),
    ("Je vous appelle mercredi matin (demain) à 9h30.", datetime(2026, 11, 25, 9, 30)),
    ("Je reviens vers vous jeudi matin avec un nouveau code.", datetime(2026, 11, 26, 12, 0)),
    ("It will be done by end of day, I'll confirm by email.", datetime(2026, 11, 23, 18, 0)),
    ("Je vous envoie le devis d'ici vendredi 27 novembre.", datetime(2026, 11, 27, 18, 0)),
    ("I'll send the report by 3pm.", datetime(2026, 11, 23, 15, 0)),
    ("Je vous tiens au courant demain.", datetime(2026, 11, 24, 18, 0)),
    ("The registry answers within 48 hours, I'll update you then.", datetime(2026, 11, 25, 10, 0)),
    # "within the hour", "dans l'heure": one hour.
    ("We've rolled back the PHP package and are monitoring. I'll update you within the hour.",
     datetime(2026, 11, 23, 11, 0)),
    ("Je vous rappelle dans l'heure.", datetime(2026, 11, 23, 11, 0)),
    # "d'ici une heure", "d'ici 30 minutes": a duration too ("d'ici 14h" is the hour of the day).
    ("Nous préparons un correctif et revenons vers vous d'ici une heure.", datetime(2026, 11, 23, 11, 0)),
    ("Je vous rappelle d'ici 30 minutes.", datetime(2026, 11, 23, 10, 30)),
    ("Je vous rappelle d'ici 14h.", datetime(2026, 11, 23, 14, 0)),
    # "tonight (Tuesday)" written on Monday: the weekday says which evening.
    ("The migration is tonight (Tuesday) at 21:00, I'll email you when it's done.", datetime(2026, 11, 24, 21, 0)),
    # Several moments: the promise holds until the last one it names.
    ("Je teste ce soir sur une copie, je vous donne des nouvelles demain avant midi.", datetime(2026, 11, 24, 12, 0)),
    # "avant 9h" written at 10:00 is tomorrow's 9:00.
    ("Je vous confirme avant 9h.", datetime(2026, 11, 24, 9, 0)),
    # A call's summary: the moment promised, not the days of the story around it.
    ("Appelé Mme Blanc. Le script échoue depuis mercredi 14h. Probablement la mise à jour du bundle CA de "
     "jeudi. Lui ai promis un rappel avant 18h avec un diagnostic.", datetime(2026, 11, 23, 18, 0)),
    # ...even when the promising clause names no "avant": "promis un rappel" is what promises.
    ("Appelé M. Roux. Probablement la mise à jour de jeudi. Lui ai promis un rappel demain à 9h.",
     datetime(2026, 11, 24, 9, 0)),
    # A span: we committed to its last end.
    ("I've submitted the removal request; it's usually processed within 12-24h. I'll update you as soon as it's "
     "cleared.", datetime(2026, 11, 24, 10, 0)),
    ("La demande est faite, c'est traité sous 24 à 48 h. Je vous tiens au courant.", datetime(2026, 11, 25, 10, 0)),
    ("Je regarde, retour dans 2 ou 3 heures.", datetime(2026, 11, 23, 13, 0)),
    # The story first, then the delay, in a part of its own.
    ("Je lance la restauration depuis la sauvegarde de 23h hier, ce sera fait dans l'heure.",
     datetime(2026, 11, 23, 11, 0)),
])
def test_a_dated_promise_holds_until_the_moment_it_names(reply, expected):
    assert promised_by(reply, MONDAY_10) == expected.replace(tzinfo=PARIS)


@pytest.mark.parametrize("reply", [
    "Je regarde et je reviens vers vous.",
    "I'll look into it.",
    # What was done, not what is promised: past times and durations of work are no deadline.
    "J'ai activé le slow query log hier soir pour collecter des données, je reviens vers vous.",
    "A backup job has been running since 07:00, I'll check it.",
    "Prévoir 2 h de coupure, je vous tiens au courant.",
    # "mon" is French for "my", not Monday.
    "Je reviens vers vous sur mon analyse.",
    # The morning told in the past is when it happened, not when we come back (read at 10:00).
    "Yes, that's our shared relay; it was listed early this morning. We're requesting delisting and I'll update you.",
    "L'adresse du relais a été listée ce matin ; nous demandons le retrait et je vous tiens au courant.",
])
def test_a_promise_naming_no_moment_says_none(reply):
    assert promised_by(reply, MONDAY_10) is None


@pytest.mark.parametrize("note, expected", [
    ("Carla a promis au client un rappel avant 17h. Je pars à 16h30.", datetime(2026, 11, 23, 17, 0)),
    ("Handover: the customer is waiting for a callback, promised within 1h.", datetime(2026, 11, 23, 11, 0)),
    ("Mail de confirmation à M. Dumas AVANT 15:00, sinon appeler son astreinte.", datetime(2026, 11, 23, 15, 0)),
    # The customer's own event, told in the note, is what is due first.
    ("Bascule à 02:00. Mail de confirmation à M. Dumas AVANT 03:00.", datetime(2026, 11, 24, 2, 0)),
    ("Extraction incomplète. Le client doit avoir le tout avant 19h.", datetime(2026, 11, 23, 19, 0)),
    # The leaving shift's shorthand, the city's clock named first.
    ("HANDOVER: callback due 16:30 Paris (15:30 UTC). Customer's direct line in the contact card.",
     datetime(2026, 11, 23, 16, 30)),
    ("Call-back to Mr Dumas at 14:00, he is at the office all afternoon.", datetime(2026, 11, 23, 14, 0)),
    # A monitor's date is written year first: its hour is that day's, not the next one's.
    ("[WARNING] TLS check www.example.co.uk:443\nCertificate expires: 2026-12-14 08:12 (in 21d)",
     datetime(2026, 12, 14, 8, 12)),
])
def test_a_note_says_what_we_owe_the_customer_by_when(note, expected):
    assert owed_by(note, MONDAY_10) == expected.replace(tzinfo=PARIS)


@pytest.mark.parametrize("note", [
    "Restauration lancée à 17h20, 70 % à 18h.",  # times of the story
    "Client rappelé hier à 16h, il teste de son côté.",
    "Yann absent aujourd'hui, ses dossiers ne sont pas réaffectés.",
])
def test_a_note_telling_what_happened_owes_nothing(note):
    assert owed_by(note, MONDAY_10) is None


def test_a_mail_wrapped_at_72_columns_is_read_as_its_sentences():
    reply = ("La bascule sera effectuée cette nuit à 01h30 UTC par notre équipe de nuit ; nous vous confirmerons par\n"
             "e-mail avant 02h00 UTC (03h00 heure de Paris) que tout est en ordre.")
    assert committed_by(reply, MONDAY_10) == datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc)
    # A line starting in capitals starts anew: the hour of the story stays out of the promise.
    assert committed_by("Le site est tombé à 9h30\nJe vous rappelle", MONDAY_10) is None


def test_a_domain_s_dot_does_not_cut_the_day_from_its_hour():
    # "demain ... boutique-martin.fr : ... à 8h" is one clause: tomorrow at 8, not tomorrow evening.
    reply = "Demain je fais la bascule de boutique-martin.fr : je vous confirme à 8h."
    assert promised_by(reply, MONDAY_10) == datetime(2026, 11, 24, 8, 0, tzinfo=PARIS)


@pytest.mark.parametrize("message, expected", [
    ("La mise en ligne est demain à 8h, une campagne radio démarre avec l'adresse du site.",
     datetime(2026, 11, 24, 8, 0)),
    ("Nous mettons en ligne mercredi (le 25) à 9h le site de notre client brasserieduport.fr : "
     "la campagne démarre à 9h.", datetime(2026, 11, 25, 9, 0)),
    ("Guests cannot download their tickets and the gala is tonight.", datetime(2026, 11, 23, 23, 0)),
    # ...the launch said by who launches it ("nous lançons").
    ("Nous lançons notre nouveau site ce soir à 20h. Merci de confirmer.",
     datetime(2026, 11, 23, 20, 0)),
    # What expires on a day lasts until that day ends.
    ("Le certificat *.lemaitre-group.fr n'a pas été renouvelé. Il expire le 27/11.", datetime(2026, 11, 27, 23, 59)),
    ("Our lease on the old servers expires on 02/12/2026, we need the data before then.",
     datetime(2026, 12, 2, 23, 59)),
    ("Our domain expires in 3 days and the renewal failed.", datetime(2026, 11, 26, 10, 0)),
    ("We're taking pre-orders all day and the certificate runs out tonight.", datetime(2026, 11, 23, 23, 0)),
    ("Our accountant needs read-only access by Friday.", datetime(2026, 11, 27, 18, 0)),
    ("Merci de me répondre avant demain midi, nous devons prévenir les exposants.", datetime(2026, 11, 24, 12, 0)),
    ("Le rendez-vous avec le client est à 14h et le site est vide.", datetime(2026, 11, 23, 14, 0)),
    # Two deadlines: the nearest one is what the engineer must beat.
    ("We need the mailboxes moved before Friday; the old contract ends on 30 November.",
     datetime(2026, 11, 27, 18, 0)),
    # The event's verb in the form it is said in, and what will be done to them.
    ("Notre nouveau prestataire doit basculer le site aujourd'hui à 14h, il lui faut le code de transfert.",
     datetime(2026, 11, 23, 14, 0)),
    ("La boutique ouvrira demain à 9h et le paiement ne marche pas.", datetime(2026, 11, 24, 9, 0)),
    ("Your email says our hosting will be suspended TODAY at 12:00. We paid it on Friday afternoon.",
     datetime(2026, 11, 23, 12, 0)),
    ("Votre mail dit que l'hébergement sera suspendu demain à midi, nous avons pourtant payé.",
     datetime(2026, 11, 24, 12, 0)),
    # What ends: the data goes with the contract.
    ("Notre contrat se termine le dimanche 29 novembre : il nous faut l'export de la base.",
     datetime(2026, 11, 29, 18, 0)),
    # A time zone named by its plain name after the hour: 18:00 in Montreal is midnight in Paris.
    ("We demo it to the client's board at 6pm Eastern today.", datetime(2026, 11, 24, 0, 0)),
    # A part between commas telling the story does not make the rest of the clause a story.
    ("Nous envoyons ce soir à 23h30 les convocations à notre assemblée générale, c'est programmé "
     "depuis une semaine.", datetime(2026, 11, 23, 23, 30)),
    # A duration said in words, and what goes out at a set time.
    ("L'infolettre part dans une demi-heure et je ne peux pas la retenir.", datetime(2026, 11, 23, 10, 30)),
    ("The newsletter goes out in an hour and the signup page is blank.", datetime(2026, 11, 23, 11, 0)),
    # ...or airs: an advert sends everyone to the site at that moment.
    ("Notre publicité passe à la télévision ce soir à 20h, pouvez-vous doubler les ressources avant ?",
     datetime(2026, 11, 23, 20, 0)),
    ("Our radio ad airs at 6pm today, please check the booking page holds.", datetime(2026, 11, 23, 18, 0)),
    ("La réunion commence dans un quart d'heure, le lien de la visio ne marche pas.", datetime(2026, 11, 23, 10, 15)),
    # A date weeks away is kept as it is, not brought forward.
    ("Notre certificat EV expire le 3 janvier, merci de lancer le renouvellement.", datetime(2027, 1, 3, 23, 59)),
    # A need said by what happens otherwise.
    ("If those invoices don't go out by 15:00 it will cost us real money.", datetime(2026, 11, 23, 15, 0)),
    ("Nos clients en dépendent : les fiches doivent partir avant 14h, sinon la paie est en retard.",
     datetime(2026, 11, 23, 14, 0)),
    # ...even without "by": a job at a set hour and what happens if it does not run.
    ("The export to our warehouse runs at 23:00 every night: if it doesn't run, they ship nothing tomorrow.",
     datetime(2026, 11, 23, 23, 0)),
    ("Le prochain passage est demain 6h, et s'il ne part pas non plus ils ne préparent pas les colis.",
     datetime(2026, 11, 24, 6, 0)),
    # A sale named after a day, beside the day it starts.
    ("Nous ouvrons nos ventes privées Black Friday samedi 28 novembre à 6h00 (heure de Paris).",
     datetime(2026, 11, 28, 6, 0)),
    # What will be deleted at a set moment, in the words of the banner they quote.
    ('I just noticed a banner: "This account and all its data will be permanently deleted on 24/11/2026 at '
     '09:00 UTC." That\'s tomorrow!', datetime(2026, 11, 24, 10, 0)),
    # Someone else switching it off, at midnight tonight: the small hours after today.
    ("The old host's contract ends tonight and they switch everything off at 00:00 UTC, DNS included.",
     datetime(2026, 11, 24, 1, 0)),
    # A story told in brackets beside the deadline.
    ("Le paiement du renouvellement a été refusé (ma carte avait expiré) et le domaine expire le 25 novembre.",
     datetime(2026, 11, 25, 23, 59)),
    # When it may start is not when it is due: "not before" leaves the deadline it sits beside.
    ("The old key expires Wednesday at 18:00. Please swap it before then, but not before Tuesday 9:00: "
     "our payroll run uses it.", datetime(2026, 11, 25, 18, 0)),
    ("La bascule doit être faite avant jeudi midi. Pas avant mercredi 20h, nos commandes partent à 19h30.",
     datetime(2026, 11, 26, 12, 0)),
    # Our own work on their server at a set time, which they ask us to move.
    ("We stream a fundraiser tonight until 23:30. A reboot at 22:00 would cut it, can you move it to next week?",
     datetime(2026, 11, 23, 22, 0)),
    ("Vous voulez redémarrer notre serveur ce soir à 23h ? Ce n'est pas possible, nos commandes partent à ce moment.",
     datetime(2026, 11, 23, 23, 0)),
    # A count said in words, however roughly.
    ("Our monitoring says the certificate is expiring in about nine hours, has it been deployed?",
     datetime(2026, 11, 23, 19, 0)),
    ("Le domaine expire dans environ trois heures, merci de vérifier le renouvellement.",
     datetime(2026, 11, 23, 13, 0)),
    # A day of the month alone is that day, this month's or, past, the next month's: not tomorrow.
    ("Nous avons une mise en production prévue le 25 à 9h pour un client (refonte de sa boutique).",
     datetime(2026, 11, 25, 9, 0)),
    ("Our launch is on the 2nd at 10am, the certificate has to be there before.", datetime(2026, 12, 2, 10, 0)),
    # A need said with what is needed in the middle.
    ("Il nous le faut avant jeudi.", datetime(2026, 11, 26, 18, 0)),
    # Their own obligation at a moment, without "avant" or "by".
    ("Nous devons mettre en ligne ce soir les horaires de garde, les patients les consultent sur le site.",
     datetime(2026, 11, 23, 23, 0)),
    ("We have to send the quarterly invoices tomorrow at 9am and the billing app is down.",
     datetime(2026, 11, 24, 9, 0)),
    ("Je dois faire un point à ma direction à 11h.", datetime(2026, 11, 23, 11, 0)),
    # The day after "before" is the deadline's, not the day of the story told before it...
    ("Comme convenu au téléphone vendredi, il nous faut la clé DKIM avant l'envoi de l'infolettre mercredi à 7h.",
     datetime(2026, 11, 25, 7, 0)),
    # What happens if it is not there, said in the next sentence, makes the moment before it the deadline.
    ("Notre grossiste récupère le fichier sur votre serveur à 17h. S'il n'est pas là, nos 63 officines ne sont pas "
     "réapprovisionnées demain.", datetime(2026, 11, 23, 17, 0)),
    # ...but a day in an aside after it is not: this is due today.
    ("Nous avons une mise en production à faire aujourd'hui avant 17h (nouvelle grille exigée au 1er décembre).",
     datetime(2026, 11, 23, 17, 0)),
    # The hour right after the part of the day: not the evening's end.
    ("Nous recevons un avis de suspension pour ce soir 21h.", datetime(2026, 11, 23, 21, 0)),
    ("La démo client est demain matin 9h, il faut que le site réponde.", datetime(2026, 11, 24, 9, 0)),
    # An advert that airs, said in French.
    ("Nos pages mettent 10 secondes à s'afficher depuis 10h. Notre campagne TV passe à 13h.",
     datetime(2026, 11, 23, 13, 0)),
    # A cut set for a moment: ours, or their provider's.
    ("48h ??? La coupure est dans 6 heures. Je veux parler à quelqu'un.", datetime(2026, 11, 23, 16, 0)),
    ("La coupure prévue ce soir à 23h tombe pendant notre inventaire, pouvez-vous la décaler ?",
     datetime(2026, 11, 23, 23, 0)),
    # A span: the soonest it may be needed.
    ("La coupure est prévue dans 2 à 3 heures, il faut que le certificat soit fait avant.",
     datetime(2026, 11, 23, 12, 0)),
    # The call an engineer logs says what the customer must do, in the third person.
    ("Appel de Martine. Le VPN ne monte plus depuis ce matin. Elle doit transmettre le fichier SEPA des salaires "
     "demain à 8h.", datetime(2026, 11, 24, 8, 0)),
    ("Call from Tom: he has to send the payroll file tomorrow at 8am and cannot reach the server.",
     datetime(2026, 11, 24, 8, 0)),
    # Midnight is the end of the day it is named with, or of today.
    ("Nous lançons la collection mercredi soir à minuit. Qui sera présent ?", datetime(2026, 11, 25, 23, 59)),
    ("Il faut activer le vhost de prod avant minuit, nos influenceuses publient à 00:01.",
     datetime(2026, 11, 23, 23, 59)),
    ("The sale goes live at midnight tonight and the checkout still fails.", datetime(2026, 11, 23, 23, 59)),
    # The go-live, hyphenated as it is written in a project plan.
    ("Please open the firewall to the provider's endpoints. Go-live of the new payment provider is Wednesday at "
     "10:00 CET.", datetime(2026, 11, 25, 10, 0)),
    # A need by a moment, wished politely.
    ("They pick and ship from these files at 6am Wednesday, so it would be great to know before then!",
     datetime(2026, 11, 25, 6, 0)),
    ("Ce serait bien d'avoir une réponse avant jeudi, nous avons un salon.", datetime(2026, 11, 26, 18, 0)),
    # A weekday with its date: the date names the day, today's when it is today.
    ("Il faut remplacer les MX avant le lundi 23 novembre 18h00, date d'arrêt de l'ancienne plateforme.",
     datetime(2026, 11, 23, 18, 0)),
    # Work owed to their own clients.
    ("My password is rejected everywhere and I have two deliveries due today.", datetime(2026, 11, 23, 18, 0)),
    ("Nous avons un dossier à rendre demain, le serveur ne répond plus.", datetime(2026, 11, 24, 18, 0)),
    # ...or asked for by a moment.
    ("Vente flash samedi 8h. Pouvez-vous passer les frontaux de 2 à 6 d'ici mercredi midi ?",
     datetime(2026, 11, 25, 12, 0)),
])
def test_a_customer_s_own_deadline_is_read(message, expected):
    assert customer_due(message, MONDAY_10) == expected.replace(tzinfo=PARIS)


@pytest.mark.parametrize("message", [
    # The story of what happened, not a deadline.
    "Le site est tombé ce matin à 9h30, plus rien ne s'affiche.",
    "Since 8:15 nobody in the office can send any email.",
    "Notre vente flash a démarré à 9h et le site renvoie une 502.",
    "Le site a été suspendu ce matin à 11h alors que la facture est payée.",
    # A guess is no need by a moment.
    "Ça doit être le DNS encore une fois aujourd'hui, le site ne charge pas.",
    "Le webmail met 30 secondes pour ouvrir un message cet après-midi.",  # an infinitive is not the event
    "I deleted a folder of client files by mistake this morning.",
    # Which backup to restore, answering our question: a time in the past, no need said.
    "Tuesday evening, before 6pm.",
    "celle de mardi soir, avant 18h",
    # Their own plan, no deadline of theirs.
    "Merci, on teste ce soir après la fermeture et je vous dis.",
    "Can you add a mailbox for our new colleague?",
    "J'ai terminé l'import à 9h, merci de vérifier les comptes.",  # done, not ending
    "Nous avons envoyé la newsletter hier à 8h, tout s'est bien passé.",
    # A certificate that "expire" in March, said in November: months away is a plan, not a deadline.
    "Notre certificat expire le 3 mars, on verra le renouvellement plus tard.",
    # A threat of the writer's own is no deadline of the service.
    "If this isn't refunded today I'll contact my bank.",
    "Si je n'ai pas ce rappel demain matin, je raconte tout sur Facebook.",
    # What our work did, after it.
    "After the reboot at 3am the shop shows a 502.",
    "Depuis la maintenance de 22h, nos tâches planifiées ne tournent plus.",
    # Only when it may start.
    "Please do the maintenance whenever suits, but not before Thursday 22:00 (our stock count).",
    "Vous pouvez redémarrer le serveur, mais pas avant 23h s'il vous plaît.",
    # An obligation they were spared, a guess, a manner of speaking.
    "For once I didn't have to chase anybody tonight, thank you.",
    "It must be the DNS again today, same as last week.",
    "Je dois dire que ce soir tout fonctionne parfaitement.",
    # What was due: the story ("I need it by Wednesday" beside it is the deadline).
    "The August SLA report was due on the 3rd working day.",
    # The point in the past a restore should go back to.
    "Can you restore /shared/hr/2025 from before Thursday? Someone overwrote a spreadsheet.",
    "Pouvez-vous restaurer la sauvegarde d'avant jeudi ?",
    # A cut going on, with when it should end: an outage, not a deadline.
    "Notre opérateur parle d'une coupure de fibre dans la zone, rétablissement prévu ce soir.",
])
def test_a_time_of_the_story_is_no_deadline(message):
    assert customer_due(message, MONDAY_10) is None


@given(st.text(max_size=300), st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 1),
                                           timezones=st.just(timezone.utc)))
def test_any_customer_text_gives_none_or_a_deadline_after_it_and_within_three_months(text, at):
    moment = customer_due(text, at)
    assert moment is None or at < moment <= at + FARTHEST_DUE
    moment = committed_by(text, at)
    assert moment is None or at < moment <= at + LONGEST


@pytest.mark.parametrize("notice, expected", [
    ("Le renouvellement automatique du certificat SSL pour www.mairie.fr a échoué.\nExpiration du certificat "
     "actuel : 24/11/2026 02:00 UTC.\nUne nouvelle tentative sera effectuée dans les 24 heures.",
     datetime(2026, 11, 24, 3, 0)),
    ("Your domain example.ie expires on 27 November. Renew it now to keep your website and email.",
     datetime(2026, 11, 27, 23, 59)),
    ("The certificate for shop.example.fr expired on 20 November.", None),  # the story
    ("Thank you for your order. Your invoice is attached.", None),
])
def test_a_notice_they_forward_says_when_something_expires(notice, expected):
    assert expires_by(notice, MONDAY_10) == (expected and expected.replace(tzinfo=PARIS))


def test_a_plan_weeks_away_is_kept_as_named():
    # Written on Monday 23 November: the week of 14 December is three weeks out, not two.
    assert committed_by("I'll send the detailed runbook in the week of 14 December.", MONDAY_10) == \
        datetime(2026, 12, 14, 18, 0, tzinfo=PARIS)


@pytest.mark.parametrize("reply, expected", [
    ("Following our call: I'm checking the queue now and will call you back within 30 minutes.",
     datetime(2026, 11, 23, 10, 30)),
    ("I'll restore Sunday night's backup tonight once traffic is low, and confirm by 8am tomorrow.",
     datetime(2026, 11, 24, 8, 0)),
    ("J'ai mis en place une surveillance pour cette nuit. Je vous envoie demain à 8h un bilan.",
     datetime(2026, 11, 24, 8, 0)),
    ("The memory limit was too low. I'll deploy the fix on Wednesday morning and confirm here.",
     datetime(2026, 11, 25, 12, 0)),
    ("Nous ferons la bascule jeudi à 21h.", datetime(2026, 11, 26, 21, 0)),
])
def test_what_we_say_we_will_do_by_a_moment_is_read(reply, expected):
    assert committed_by(reply, MONDAY_10) == expected.replace(tzinfo=PARIS)


@pytest.mark.parametrize("reply", [
    "Could you test tomorrow at 9 and tell me if the error is still there?",  # their move, not ours
    "Pouvez-vous me dire si l'erreur revient demain matin ?",
    "I've restored Sunday night's backup, the site is back.",  # done, and no moment ahead
    "The backup of Monday's release is in /var/backups.",
])
def test_a_question_or_a_done_reply_commits_to_no_moment(reply):
    assert committed_by(reply, MONDAY_10) is None


def test_the_hour_is_the_customer_s_own():
    # 14:00 in Tokyo is 05:00 UTC: the same words mean another instant for another customer.
    tokyo = MONDAY_10.astimezone(ZoneInfo("Asia/Tokyo")).replace(hour=10)
    assert promised_by("Je vous confirme avant 14h.", tokyo).astimezone(timezone.utc).hour == 5


LONDON = ZoneInfo("Europe/London")
MONDAY_16_LONDON = datetime(2026, 11, 23, 16, 0, tzinfo=LONDON)


@pytest.mark.parametrize("reply, expected_utc", [
    ("I'll have the migration finished by 9am tomorrow (CET) and I'll email you.", datetime(2026, 11, 24, 8, 0)),
    ("I'll call you at 15:00 SGT.", datetime(2026, 11, 24, 7, 0)),  # 00:00 in Singapore when written
    ("I'll confirm by 3pm EST.", datetime(2026, 11, 23, 20, 0)),
    ("Je vous rappelle demain à 10h heure de Paris.", datetime(2026, 11, 24, 9, 0)),
    ("I'll update you by 17:00 UTC.", datetime(2026, 11, 23, 17, 0)),
    # "est" is French for "is": no New York clock here.
    ("Il est 16h, je vous rappelle à 17h.", datetime(2026, 11, 23, 17, 0)),
])
def test_a_zone_named_beside_the_hour_is_whose_clock_it_is(reply, expected_utc):
    # Written at 16:00 in London to a London customer.
    assert promised_by(reply, MONDAY_16_LONDON) == expected_utc.replace(tzinfo=timezone.utc)


@given(st.text(max_size=300), st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 1),
                                           timezones=st.just(timezone.utc)))
def test_any_text_gives_none_or_a_moment_after_the_reply_and_within_three_months(text, at):
    moment = promised_by(text, at)
    assert moment is None or at < moment <= at + LONGEST


@given(st.sampled_from(["avant", "à", "by", "at", "vers"]), st.integers(0, 99), st.integers(0, 99),
       st.sampled_from(["lundi", "demain", "today", "friday", "le 31 février", "", "ce soir"]))
def test_odd_hours_and_dates_never_raise(word, hour, minute, day):
    moment = promised_by(f"Je reviens vers vous {day} {word} {hour}h{minute:02d}", MONDAY_10)
    assert moment is None or MONDAY_10 < moment <= MONDAY_10 + LONGEST


@pytest.mark.parametrize("alert, full_utc", [
    # 16:00 London (UTC in November): three points left at 0.8 an hour is 3 h 45 min.
    ("[ALERT] db01.morgan-joinery  /var/lib/mysql  97% used (growth 0.8%/h over last 6h)", datetime(2026, 11, 23, 19, 45)),
    # The threshold beside the usage is not the usage.
    ("Alerte automatique : db-01 /var/lib/mysql 88 % (seuil 85 %). Croissance +2,1 %/h sur 3 h.",
     datetime(2026, 11, 23, 21, 43)),
    ("The data disk on db01 is at 88% and growing about 1% per hour, mainly binary logs.", datetime(2026, 11, 24, 4, 0)),
    ("Alerte db-01 /var/lib/mysql 91 % (seuil critique 90 %). Estimation de saturation : ~4h.",
     datetime(2026, 11, 23, 20, 0)),
    # A free-space threshold said before the usage is not the usage either.
    ("PROBLEM: Free disk space is less than 5% on volume /var/lib/mysql (db-01) – used 95.1%, severity: Disaster. "
     "Growth rate ~3%/h (binlogs)", datetime(2026, 11, 23, 17, 38)),
    ("Votre boîte mail est pleine à 96 %, elle augmente de 1 % par jour.", datetime(2026, 11, 27, 16, 0)),
    # The monitor's rate on the next line, per ten minutes; its own projection, in minutes.
    ("Check: disk usage /var/lib/mysql\nValue: 90.4% (threshold 90%)\nTrend: +0.8% / 10 min", datetime(2026, 11, 23, 18, 0)),
    ("[CRITICAL] db-01 - disk usage /var/lib/mysql\nValue: 98.0% - Projected full: ~12 min", datetime(2026, 11, 23, 16, 12)),
    # A mail store two autoresponders fill, in words: every ten minutes; its own estimate.
    ("WARNING mailstore atelier-lucas.fr : 98 % du quota de domaine (50 Go). Croissance +1 % toutes les 10 minutes.",
     datetime(2026, 11, 23, 16, 20)),
    ("CRITICAL mailstore atelier-lucas.fr : 99 %. Saturation estimée dans ~10 minutes ; tout courrier entrant du "
     "domaine sera alors rejeté (552).", datetime(2026, 11, 23, 16, 10)),
    # What is left, as the monitor says it: 3% free, growing 1.2% an hour.
    ("PROBLEM: Free disk space on /var/lib/mysql on db-intra-01 is 3% (average growth 1.2%/h)",
     datetime(2026, 11, 23, 18, 30)),
    # The moment someone worked out from the rate.
    ("Binlogs non purgés depuis vendredi. À ce rythme le disque est plein vers 17h30 UTC et MySQL s'arrête.",
     datetime(2026, 11, 23, 17, 30)),
    ("At this rate the disk on db-02 will be full around 7pm.", datetime(2026, 11, 23, 19, 0)),
])
def test_a_disk_fills_when_the_rate_the_alert_gives_says(alert, full_utc):
    assert fills_by(alert, MONDAY_16_LONDON) == full_utc.replace(tzinfo=timezone.utc)


@pytest.mark.parametrize("text", [
    "CPU load 95% (+3%/h)",  # a processor does not fill
    "Le volume de logs est à 97 %",  # no rate: how full, not when full
    "Volume à 40 %, croissance 0,5 %/jour : plein dans ~120 jours.",  # 120 days: a plan, not a deadline
    "Nous vendons 300 billets par heure avec 50% de remise sur le stockage.",
    # What it was, not when it fills ("vers 3h" is an hour of the day, not three hours).
    "Le disque était plein vers 3h du matin, on a purgé les logs.",
])
def test_without_a_storage_fill_rate_nothing_falls_due(text):
    assert fills_by(text, MONDAY_16_LONDON) is None


@given(st.text(max_size=300))
def test_any_text_fills_never_or_after_it_was_read_and_within_the_farthest_deadline(text):
    moment = fills_by(text, MONDAY_16_LONDON)
    assert moment is None or MONDAY_16_LONDON < moment <= MONDAY_16_LONDON + FARTHEST_DUE


@pytest.mark.parametrize("text, hours", [
    ("Notre supervision signale le disque de lms-prod-1 à 96 %. Ça grimpe d'environ 1 % par heure depuis hier soir.",
     4),
    ("Heads up: /var on db-02 is at 91%, climbing 2% an hour.", 4.5),
])
def test_a_fill_rate_said_in_words_is_when_the_disk_fills(text, hours):
    at = datetime(2027, 1, 1, 10, 0, tzinfo=timezone.utc)
    assert fills_by(text, at) == at + timedelta(hours=hours)


def test_what_they_have_to_do_before_a_day_said_with_a_is_their_deadline():
    at = datetime(2026, 12, 21, 10, 0, tzinfo=timezone.utc)  # a Monday
    assert customer_due("24 à 48h ?? Nous avons 300 clients à relancer avant jeudi.", at) == datetime(
        2026, 12, 24, 18, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("notice, expected_utc", [
    # Let's Encrypt's own words: the days are counted down to the date beside them.
    ("Your certificate (or certificates) for the names listed below will expire in 0 days (on 2026-11-23 23:59:59 "
     "UTC).\ncheckout.fjordandpine.com", datetime(2026, 11, 23, 23, 59)),
    ("Your certificate will expire in 3 days (on 2026-11-26 23:59:59 UTC).", datetime(2026, 11, 26, 23, 59)),
])
def test_days_counted_beside_the_date_they_lead_to_are_that_date(notice, expected_utc):
    assert expires_by(notice, MONDAY_10) == expected_utc.replace(tzinfo=timezone.utc)


def test_days_counted_alone_still_count_from_the_notice():
    assert expires_by("Le domaine expire dans 3 jours.", MONDAY_10) == MONDAY_10 + timedelta(days=3)


@pytest.mark.parametrize("message, expected", [
    ("On a 60 colis pour la Suisse en attente, l'enlèvement est à 17h30.", datetime(2026, 11, 23, 17, 30)),
    ("The DHL pickup is at 16:00 and none of the labels print.", datetime(2026, 11, 23, 16, 0)),
    ("Notre présentation client est demain à 10h.", datetime(2026, 11, 24, 10, 0)),
])
def test_a_pickup_or_a_presentation_at_an_hour_is_their_deadline(message, expected):
    assert customer_due(message, MONDAY_10) == expected.replace(tzinfo=PARIS)


def test_a_report_that_changed_its_presentation_this_week_names_no_deadline():
    text = "Le rapport de sauvegarde a changé de présentation cette semaine. Est-ce normal ? Ce n'est pas grave."
    assert customer_due(text, MONDAY_10) is None


@pytest.mark.parametrize("alert, full_in_minutes", [
    # What is left, not what is used: 5% free growing 1.2% every 10 minutes is full in about 42 minutes.
    ("PROBLEM: Free disk space is less than 5% on volume /var/lib/mysql (db01). Growth rate +1.2% / 10 min.", 42),
    ("Espace libre inférieur à 10 % sur /data, croissance +2 %/h", 300),
])
def test_a_disk_said_by_its_free_space_fills_at_the_rate_the_alert_gives(alert, full_in_minutes):
    assert fills_by(alert, MONDAY_10) == MONDAY_10 + timedelta(minutes=full_in_minutes)


def test_a_newsletter_that_already_went_out_this_morning_is_no_deadline():
    text = "Notre newsletter de décembre est partie ce matin et la police est passée en Times New Roman !!!"
    assert customer_due(text, MONDAY_10) is None


def test_the_writer_s_own_mood_starting_is_no_event():
    text = "J'y ai passé tout mon après-midi, franchement je commence à en avoir marre de ce site."
    assert customer_due(text, MONDAY_10) is None
    assert customer_due("Les soldes commencent demain à 8h.", MONDAY_10) == datetime(2026, 11, 24, 8, 0, tzinfo=PARIS)


def test_what_was_not_sent_is_no_story_of_it_going_out():
    text = ("Aucun SMS de rappel n'a été envoyé aux patients aujourd'hui (rappels J-1 des rendez-vous de demain).")
    assert customer_due(text, MONDAY_10) == datetime(2026, 11, 24, 18, 0, tzinfo=PARIS)



@pytest.mark.parametrize("alert, used", [
    ("PROBLEM: db01 - Free disk space on /var/lib/mysql is less than 10% (8.7% free)", 91.3),
    ("PROBLEM: Free disk space is less than 5% on volume /var/lib/mysql — 3.1% free (12.4 GB)", 96.9),
    ("PROBLEM ESCALATED: Free disk space is less than 2% on /var/lib/mysql", 98.0),
    ("Disk usage on /srv is 91%", 91.0),
    ("CPU load 95%", None),
    ("Volume /data : 40 % utilisés", None),  # not nearly full: no pace worth reading
])
def test_a_monitor_s_alert_says_how_much_of_the_disk_is_used(alert, used):
    assert storage_used(alert) == used


def test_two_alerts_give_the_pace_a_disk_fills_at():
    earlier = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    assert fills_at_pace(96.0, earlier + timedelta(hours=2), 94.0, earlier) == earlier + timedelta(hours=6)
    assert fills_at_pace(90.0, earlier + timedelta(hours=2), 94.0, earlier) is None  # cleaned up since
    assert fills_at_pace(95.0, earlier + timedelta(hours=2), 94.999, earlier) is None  # 416 days away: a plan
