"""When a reply of ours says it will come back: "avant 14h", "jeudi matin", "by end of day".

A promise of ours stops the customer's wait for a while (heat_score). A vague
one ("je regarde") holds the configured window; a dated one ("je vous appelle
mercredi à 9h30", "I'll confirm by 15:00 today") holds until that moment. This
module reads the moment, in the time zone of the reply's `at` (the customer's,
which is the one our replies name) unless the clause names another ("9am
(CET)", "15:00 SGT", "heure de Paris"). Pure: no clock, no I/O.

Each clause is read on its own, and the latest moment after `at` wins: "je
teste ce soir, je vous donne des nouvelles demain avant midi" holds until
tomorrow noon (a customer who writes before then ends the promise anyway). A
clause naming neither a day nor an hour says nothing, nor one telling what was
done ("hier soir", "since 07:00"). Durations ("sous 48 h", "within 2 hours")
count from `at`.

A customer's own deadline ("la mise en ligne est demain à 8h", "the gala is
tonight", "my certificate expires in 3 days") is read the same way by
`customer_due`, from clauses that say something must happen by then; and
`committed_by` reads a reply of ours that says what we will do by when, even
beside what was done ("j'ai mis en place une surveillance, je vous envoie
demain à 8h un bilan"). `fills_by` reads when a disk a monitor reports will be
full at the rate it says ("97% used (growth 0.8%/h)").
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .text import fold

#: A promise never holds longer than this, whatever it names (a typo'd year, "in 300 days"). A plan a few weeks
#: out is kept as named: cut to two weeks, "I'll send the runbook in the week of 11 January" written on 18
#: December had lapsed on 1 January, and the customer's reminder then counted from it.
LONGEST = timedelta(days=92)
#: A customer's deadline further than this is a typo or a plan, not a deadline. Nearer ones are kept as
#: named: cut to two weeks, "expire le 3 mars" written on 27 January fell due on 10 February.
FARTHEST_DUE = timedelta(days=92)

_WEEKDAYS = {
    "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
    # Not "mon": in French it is "my" ("sur mon site"), far more often than Monday.
    "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thurs": 3, "fri": 4,
}
_MONTHS = {
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7, "aout": 8,
    "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "fev": 2, "apr": 4, "avr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}
_TODAY = re.compile(r"\b(aujourd'?hui|today|ce soir|tonight|this evening|cet apres-midi|this afternoon|"
                    r"ce matin|this morning|dans la journee|dans l'apres-midi|dans la matinee|later today|"
                    r"fin de (la )?journee|end of (the )?day|end of today|eod|cob|close of business)\b")
_TOMORROW = re.compile(r"\b(demain|tomorrow)\b")
_WEEK_END = re.compile(r"\b(cette semaine|this week|fin de (la )?semaine|end of (the )?week)\b")
# A weekday in the possessive names a thing, not a moment: "Sunday night's backup", "Monday's release".
_WEEKDAY = re.compile(r"\b(" + "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
                      + r")\b(?!(?: night| morning| evening| afternoon)?'s\b)")
_DATE = re.compile(r"\b(\d{1,2})(?:er|st|nd|rd|th)?\s+(" + "|".join(sorted(_MONTHS, key=len, reverse=True))
                   + r")\b|\b(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\s+(\d{1,2})(?:st|nd|rd|th)?\b")
# "2027-02-23 08:12 UTC": the monitors' and the machines' dates, year first.
_ISO_DATE = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])")
# "le 27/11", "on 27/11/2026": day first, as the customers write it.
_NUMERIC_DATE = re.compile(r"(?<![\d/.])(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?(?![\d/])")
# A day of the month alone: "le 25 à 9h", "pour le 1er", "on the 3rd". Not a quantity ("le 3 %", "le 2 Go").
_MONTH_DAY = re.compile(r"\b(?:le (\d{1,2})(?:er)?|the (\d{1,2})(?:st|nd|rd|th))\b(?![.,]\d|\s*(?:%|€|\$|h\b|\d|"
                        r"heures?\b|min|jours?\b|mois\b|ans?\b|[kmgt]o\b|[kmgt]b\b|euros?\b|fois\b|of\b))")
# A duration said in words: "dans une demi-heure", "in half an hour", "dans un quart d'heure" (minutes).
# ..."within the hour", "dans l'heure": within one; "in about nine hours", "dans environ trois heures".
_WORDED = {"un": 60, "une": 60, "a": 60, "an": 60, "half an": 30, "une demi": 30, "une demie": 30, "un quart d'": 15,
           "the": 60, "l'": 60}
_WORDED.update({word: 60 * n for n, words in enumerate(
    ("", "", "two deux", "three trois", "four quatre", "five cinq", "six", "seven sept", "eight huit", "nine neuf",
     "ten dix", "eleven onze", "twelve douze")) for word in words.split()})
_DURATION = re.compile(r"\b(?:dans|sous|within|in)\s+(?:les\s+|the\s+next\s+)?(?:(?:about|around|roughly|approx\w*|"
                       r"environ|a peu pres|~)\s*)?(\d{1,3}(?:\s*(?:-|–|a|to|or|ou)\s*\d{1,3})?|"
                       + "|".join(sorted(_WORDED, key=len, reverse=True)) +
                       r")\s*-?\s*(h|heures?|hours?|hrs?|min|minutes?|jours?|days?)\b")
# "d'ici une heure", "d'ici 30 minutes": the same, spelt out ("d'ici 14h" is an hour of the day).
_DURATION_BY = re.compile(r"\bd'ici\s+(?:(?:environ|a peu pres)\s*)?(\d{1,3}|"
                          + "|".join(sorted(_WORDED, key=len, reverse=True)) + r")\s*-?\s*(heures?|minutes?|jours?)\b")
_HHMM = re.compile(r"(?<![\d:])(\d{1,2})\s*(?::|h)\s*(\d{2})(?!\d)")
# A bare "14h" is an hour only after a word saying when ("avant 14h", "by 3pm"): "2 h de coupure" is not.
# ...or right after the day or its part: "le prochain passage est demain 6h", "jeudi 9h", "ce soir 21h".
_BARE_HOUR = re.compile(r"\b(?:a|avant|vers|pour|des|by|at|before|until|around|jusqu'a|d'ici|demain|aujourd'hui|"
                        r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|matin|soir)\s+(\d{1,2})\s*h\b")
_AMPM = re.compile(r"(?<![\d:])(\d{1,2})(?::(\d{2}))?\s*(am|pm)\b")
_PAST = re.compile(r"\b(hier|avant-hier|yesterday|last night|cette nuit|la semaine derniere|last week)\b"
                   r"|\b(depuis|since)\s+(?:\d|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|"
                   r"wednesday|thursday|friday|saturday|sunday|ce matin|this morning)")
_NOON = re.compile(r"\b(midi|noon|lunchtime|lunch time)\b")
# Midnight named with a day, or alone, is that day's end: "mercredi soir à minuit" is the night of Wednesday to
# Thursday, "avant minuit" tonight's.
_MIDNIGHT = re.compile(r"\b(minuit|midnight)\b")
_PART = (
    (re.compile(r"\b(matin|matinee|morning)\b"), time(12, 0)),
    (re.compile(r"\b(apres-midi|afternoon)\b"), time(18, 0)),
    (re.compile(r"\b(soir|soiree|tonight|evening)\b"), time(23, 0)),
)
_WORKDAY_END = time(18, 0)  # a day without an hour: the end of that working day
# ...but what expires on a day lasts until that day ends: a domain "arrive à expiration le 08/02" is
# still ours to save at 23:00 on the 8th.
_DAY_END = time(23, 59)
# ...or is switched off for good: "avant le lundi 14 décembre 18h00 UTC, date d'arrêt définitif de l'ancienne
# plateforme" (not a planned maintenance: it comes back)
_EXPIRES = re.compile(r"\b(?:expir\w*|expiry|runs? out|arret definitif|decommission\w*|end of life|fin de vie|"
                      r"(?:permanently|definitively) (?:shut|switched off|turned off))\b")
# A full stop ends a clause (a closing quote or bracket after it too), the dot of a domain or a version does not
# ("brasserieduport.fr : ... à 8h").
_CLAUSES = re.compile(r"[;!?\n]+|\.+[\"'\u00bb\u201d)\]]*(?=\s|$)")
# A zone named beside the hour ("9am (CET)", "15:00 SGT", "heure de Paris") says whose clock it is. The
# abbreviations stand for the places that use them, as people write them all year ("CET" in July).
_ZONE_NAMES = {
    "utc": "UTC", "gmt": "UTC", "cet": "Europe/Paris", "cest": "Europe/Paris", "bst": "Europe/London",
    "wet": "Europe/Lisbon", "west": "Europe/Lisbon", "eet": "Europe/Athens", "eest": "Europe/Athens",
    "sgt": "Asia/Singapore", "hkt": "Asia/Hong_Kong", "jst": "Asia/Tokyo", "kst": "Asia/Seoul",
    "aest": "Australia/Sydney", "aedt": "Australia/Sydney", "est": "America/New_York",
    "edt": "America/New_York", "cdt": "America/Chicago", "mst": "America/Denver", "mdt": "America/Denver",
    "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles",
    "heure de paris": "Europe/Paris", "paris time": "Europe/Paris", "heure francaise": "Europe/Paris",
    "french time": "Europe/Paris", "uk time": "Europe/London", "london time": "Europe/London",
    "heure de londres": "Europe/London", "singapore time": "Asia/Singapore", "heure de singapour": "Asia/Singapore",
    "pacific time": "America/Los_Angeles", "eastern time": "America/New_York",
    # ...and the North American zones by their plain names after an hour ("6pm Eastern")
    "eastern": "America/New_York", "pacific": "America/Los_Angeles", "paris": "Europe/Paris",
    "london": "Europe/London", "heure de montreal": "America/Toronto", "montreal time": "America/Toronto",
    "heure du quebec": "America/Toronto", "heure de l'est": "America/Toronto",
}
_ABBREVIATIONS = "|".join(sorted((k for k in _ZONE_NAMES if " " not in k), key=len, reverse=True))
# An abbreviation counts only right after a time or inside brackets: "il est 9h" is French, not New York.
_ZONE = re.compile(r"(?:(?<=\d)|(?<=\d[ h])|(?<=am )|(?<=pm )|(?<=am)|(?<=pm)|\(\s*)(" + _ABBREVIATIONS
                   + r")\b(?![-'])|\b(" + "|".join(k for k in _ZONE_NAMES if " " in k) + r")\b")


def promised_by(text: str, at: datetime) -> datetime | None:
    """The moment a reply written at *at* (aware) promises to come back by, or None if it names none."""
    folded = _fold(text)
    found = [(moment, _promising(clause), bool(_STORY.search(clause))) for clause in _CLAUSES.split(folded)
             if (moment := _clause_moment(clause, at, upper=True)) is not None and moment > at]
    # A moment in the clause that promises wins over one of the story around it: "échoue depuis mercredi 14h.
    # Probablement la mise à jour de mercredi. Lui ai promis un rappel avant 18h" promises 18:00 today. A clause
    # telling what happened is no moment of ours at all: "it was listed early this morning" (read at 08:40).
    future = [m for m, promising, _ in found if promising] or [m for m, _, story in found if not story]
    return min(max(future), at + LONGEST) if future else None


# A clause in the past tense tells the story: "it was listed early this morning", "ça a planté ce matin".
_STORY = re.compile(r"\b(?:was|were|has been|have been|had been|happened|a ete|ont ete|etait|etaient|avait|avaient)\b")
_PROMISED = re.compile(r"\b(?:promis|promised|rappel|call back|ring back|call-?back|due (?:at |by |for )?\d)")


def _promising(clause: str) -> bool:
    return bool(_OUR_FUTURE.search(clause) or _BY.search(clause) or _PROMISED.search(clause))


# What makes a moment in a customer's clause a deadline rather than a time of the story: an event
# that will not wait (a launch, an opening, an expiry, a show, a meeting, a cut-over), a deadline
# said as such, or "avant"/"by" beside a need ("we need it by Friday"). "Tuesday evening, before
# 6pm", answering which backup to restore, names no deadline.
_EVENT = re.compile(
    r"\b(au plus tard|at the latest|no later than|deadline|date limite|cut-?off|echeance|"
    # French verbs in the forms a coming event takes: "ouvre", "démarrera", "ouvrira", "expirent" (not the
    # infinitive: "30 secondes pour ouvrir un message"), and the cut-over in any form ("doit basculer").
    # (Not the writer's own mood: "je commence à en avoir marre".)
    r"(?:ouvr|lanc|demarr|(?<!je )commenc|expir)(?:e|ent|ons|era|eront|ira|iront)|bascul(?:e|er|era|eront|ent)|"
    r"ouverture|opens|opening|lancement|"
    r"launch(?:es|ing)?|go(?:es|ing)?[- ]live|mise en (?:ligne|production|service)|starts?|debut|"
    r"expires|expiring|expiration|expiry|closes|runs out|run out|"
    # ...and what ends: "notre contrat se termine dimanche", "the contract ends on Sunday".
    r"se termine|se terminera|prend fin|prendra fin|ends on|will end|fin de contrat|end of contract|"
    # ...and what will be done to them: "our hosting will be suspended TODAY at 12:00".
    r"suspendu|suspendue|suspension|will be (?:suspended|switched off|shut down|cut off)|"
    # ...or deleted: "This account and all its data will be permanently deleted on 20/11/2027 at 00:00 UTC".
    r"will be (?:permanently )?(?:deleted|erased|removed|purged)|"
    # ...or switched off by someone else: "the old host switches everything off at 00:00 UTC".
    r"switch(?:es)? (?:\w+ ){0,2}off|shuts? (?:\w+ ){0,2}down|turns? (?:\w+ ){0,2}off|"
    r"sera (?:definitivement )?(?:supprimee?|effacee?)|seront (?:definitivement )?(?:supprimee?s|effacee?s)|"
    r"cut-?over|enlevement|ramassage|pick-?up|salon|gala|show|evenement|event|assemblee|assembly|conference|webinar|"
    r"inauguration|"
    # ...or work owed to their own clients: "I have two deliveries due today", "un dossier à rendre demain"
    # (not what was: "the August report was due on the 3rd working day")
    # (Not "court filings due at 10am tomorrow": that names what their outage blocks; when the site is back before
    # it, the moment is met, which the heat cannot tell, and it would show a deadline missed that was not.)
    r"(?<!was )(?<!were )due (?:today|tomorrow|tonight|this (?:morning|afternoon|evening))|a rendre|"
    r"a livrer|a remettre|"
    # (not a layout: "le rapport a changé de présentation cette semaine")
    r"reunion|meeting|rendez-vous|rdv|(?<!de )presentation|demo|audit|soldes|black friday|"
    # ...and what goes out at a set time: "l'infolettre part dans une demi-heure", "the newsletter goes out at 8"
    r"infolettre|newsletter|mailing|e-?mailing|"
    # ...or an advert that airs: "notre publicité passe à la télévision ce soir à 20h", "our TV ad airs at 8pm".
    r"publicite|pub tele|spot (?:tele|tv|radio|publicitaire)|(?:tv|radio) (?:ad|advert|spot|campaign)|airs|"
    r"campagne (?:tv|tele|televisee|radio)|"
    # ...and our own work on their server at a set time, which they ask us to move: "a reboot at 22:00 would cut
    # the stream", "vous voulez redémarrer notre serveur ce soir à 23h ? Ce n'est pas possible".
    r"reboot|redemarrage|redemarrer|maintenance|"
    # ...or a cut set for a moment ("la coupure est dans 6 heures"; "une coupure de fibre, rétablissement prévu ce
    # soir" is an outage, not a deadline).
    r"coupure (?:\w+ ){0,2}?(?:prevue|programmee|planifiee|dans (?:\d|une?|quelques|deux|trois)))\b")
# Followed by what it is before: "I hadn't seen it before: Disk usage 97%" names no deadline.
# (Not a point in the past they name: "restore /shared/hr from before Thursday", "la sauvegarde d'avant jeudi".)
_BY = re.compile(r"(?<!from )(?<!d')\b(avant|before|by|d'ici|until|jusqu'a)\s+\w")
_NEED = re.compile(
    r"\b(need|needs|needed|must|have to|has to|want|wants|il (?:me |nous )?(?:le |la |les )?faut|dois|doit|devons|devez|"
    # (not the thanks: "merci de l'info", "merci de votre retour")
    r"besoin|imperatif|indispensable|absolument|merci de(?! l'info| votre| vos| ta | tes | cette)|please|svp|"
    r"s'il vous plait|si possible|"
    r"if possible|ideally|idealement|today|tomorrow|tonight|aujourd'hui|demain|ce soir|"
    # ...or ask for it by a moment: "Pouvez-vous passer les frontaux de 2 à 6 d'ici vendredi midi ?"
    r"pouvez-vous|pourriez-vous|pouvez vous|pourriez vous|can you|could you|"
    r"depend|depends|dependent|depend(?:ent)? de)\b|"
    # ...or wish it, politely: "it would be great to know before then", "ce serait bien d'avoir une réponse avant"
    r"\b(?:would be (?:great|good|nice|helpful|ideal)|(?:ce serait|ca serait|il serait) (?:bien|super|top|parfait|"
    r"ideal|utile)|l'ideal serait)\b|"
    # ...or what they have to do, said with "à": "nous avons 300 clients à relancer avant jeudi"
    r"\b(?:avons|ai|on a|ont)\b[^.,;]{0,40}?\ba (?:[a-z]+(?:er|ir|re))\b")
# The customer's own obligation at a moment is a deadline without "avant"/"by": "nous devons publier demain à
# 8h", "we have to send the invoices tonight". Not one they were spared ("for once I didn't have to chase
# anybody tonight"), nor a guess or a manner of speaking ("it must be the DNS again today", "je dois dire").
# ...said of them too: the call an engineer logs ("Elle doit transmettre le fichier SEPA demain lundi à 8h").
_OBLIGED = re.compile(r"(?<!n't )(?<!not )(?<!never )\b(devons|dois|must|have to|need to|"
                      r"(?:il|elle|ils|elles) (?:doit|doivent)|(?:he|she) (?:has|needs) to)\b"
                      r"(?! (?:be|have|say|admit|dire|avouer|admettre|reconnaitre)\b)")
# What happens if it is not done by then: "if those invoices don't go out by 06:00 it will cost us",
# "the export runs at 23:00: if it doesn't run, the warehouse ships nothing", "s'il ne part pas", "sinon".
# Beside a moment it names a deadline on its own.
_OR_ELSE = re.compile(
    r"\b(otherwise|or else|sinon|faute de quoi|"
    r"if (?:\w+ ){0,4}(?:don't|doesn't|do not|does not|isn't|aren't|can't|won't|is not|are not|cannot|fails?)|"
    r"(?:si|s'il|s'ils|s'elle|s'elles) (?:\w+ ){0,4}(?:ne|n') ?\w+ pas)\b")
# ...but a threat of the writer's own is not a deadline of the service: "if this isn't refunded today I'll
# contact my bank", "si je n'ai pas ce rappel demain, je raconte tout sur Facebook".
_THREAT = re.compile(
    r"\b(bank|banque|facebook|twitter|linkedin|social media|reseaux sociaux|avis|reviews?|trustpilot|"
    r"lawyer|solicitor|avocat|tribunal|court|chargeback|refund\w*|rembours\w*|resili\w*|cancel\w*|"
    r"leave you|go elsewhere|ailleurs|concurren\w*|competitor\w*|complain\w*|plainte)\b")
# A clause telling since when something is broken, or what already started, is the story.
_SINCE = re.compile(r"\b(depuis|since|ago|il y a|started|launched|opened|expired|rebooted|"
                    r"(?:after the |apres (?:le |la |l'))(?:reboot|redemarrage|maintenance|migration|update|upgrade|"
                    r"mise a jour)|"
                    r"(?:a|ont|avait|avaient) (?:ete )?(?:demarre|commence|ouvert|lance|expire|suspendue?)|"
                    # ...or what already went out: "notre newsletter de décembre est partie ce matin"
                    # (not what did not: "aucun SMS de rappel n'a été envoyé")
                    r"(?<!n')(?:est|sont|etait|etaient) (?:partie?s?|sortie?s?)|(?<!never )went out|"
                    r"(?<!n't )(?<!not )(?:was|were) sent|(?<!n')(?:a|ont) ete envoyee?s?)\b")


# Where the writer is until a moment is no deadline: "I'm away hiking until next Thursday, so no hurry", "je suis en
# congés jusqu'au 5 janvier". Left out up to the next comma or colon, like a "not before".
_AWAY = re.compile(r"\b(?:i'm|i am|i'll be|i will be|we're|we are|we'll be|je suis|je serai|nous sommes|nous serons|"
                   r"on est|on sera)(?: \w+)? (?:away|off|out of (?:the )?office|on holiday|on leave|on vacation|"
                   r"absente?s?|en vacances|en conges?|en deplacement)\b[^,:]*")


# When something may start is no deadline: "deploy it before then, but not before Sunday 08:00 UTC", "pas
# avant 22h, nos commandes partent à 21h30". Left out up to the next comma or colon.
_NOT_BEFORE = re.compile(r"\b(?:not before|no earlier than|not until|only after|never before|pas avant|"
                         r"pas plus tot que|seulement apres|uniquement apres|qu'apres|jamais avant)\b[^,:]*")


def _names_deadline(clause: str) -> bool:
    if _SINCE.search(clause):
        return False
    return bool(_EVENT.search(clause) or ((_OR_ELSE.search(clause) or _OBLIGED.search(clause))
                                          and not _THREAT.search(clause))
                or (_BY.search(clause) and (_NEED.search(clause) or _OR_ELSE.search(clause))))


_COMMA = re.compile(r",\s+")


def _without_story(clause: str) -> str:
    """The clause without the parts between commas that tell a story: "nous envoyons ce soir à 23h30 les
    convocations, c'est programmé depuis une semaine" still names tonight."""
    if not _SINCE.search(clause):
        return clause
    # ...and between brackets: "le paiement a été refusé (ma carte avait expiré) et le domaine expire le 20".
    clause = _ASIDE.sub(lambda m: " " if _SINCE.search(m.group()) else m.group(), clause)
    return ", ".join(part for part in _COMMA.split(clause) if not _SINCE.search(part))


_ASIDE = re.compile(r"\([^()]*\)")


# We say we will do something ourselves: "I'll restore it tonight and confirm by 8am", "je vous envoie
# demain à 8h un bilan", "nous ferons la bascule jeudi". A question to the customer is not ("could you
# test tomorrow at 9?").
_OUR_FUTURE = re.compile(
    r"\b(?:i'll|i will|we'll|we will|i'm going to|i am going to|we're going to|we are going to|"
    r"will (?:call|ring|email|e-mail|send|confirm|update|get back|come back|let you know|report|follow up|"
    r"check|restore|deploy|apply|run|finish|have|do)|"
    r"je vais|nous allons|on va|"
    r"je vous (?:appelle|rappelle|envoie|confirme|recontacte|ecris|donne|tiens|fais|transmets|reponds)|"
    r"nous vous (?:appelons|rappelons|envoyons|confirmons|recontactons|ecrivons|tenons)|"
    r"je (?:reviens|repasse|passe|lance|fais|applique|regarde|verifie|teste|m'en occupe)|"
    r"(?:je|j'|nous|on) ?(?:vous |le |la |les |l'|y |en )*\w+(?:rai|rons)|"
    # ...or in the present, at an hour: "je le supprime à 16h", "on bascule vers 20h30", "nous redémarrons à 22h"
    r"(?:je|nous|on) (?:vous |le |la |les |l'|y |en )*\w+(?:e|ons) (?:a|vers|des|avant) \d{1,2} ?h)")


# A mail wrapped at 72 columns goes on in lower case on the next line: "nous vous confirmerons par\ne-mail
# avant 02h00" is one clause. A line starting in capitals, a bullet or a blank line starts a new one.
# (The pattern starts with its newline, which the regex engine searches for fast.)
_WRAPPED = re.compile(r"\n(?<=[\w,'\u2019)\-]\n)(?=[ \t]*[a-z\u00e0-\u00ff0-9(])")


def _fold(text: str) -> str:
    return fold(_WRAPPED.sub(" ", text) if "\n" in text else text).replace("\u2019", "'")


def owed_by(text: str, at: datetime) -> datetime | None:
    """The nearest moment an engineers' note written at *at* says the customer is owed something by, or None.

    Read from the clauses that promise ("promised within 1h", "lui ai promis un rappel avant 17h"), say
    what is to be done by when ("mail de confirmation AVANT 03:00"), or name the customer's deadline ("le
    client doit avoir le tout ce soir"). A time of the story ("restauration lancée à 17h20") is not one.
    """
    folded = _NOT_BEFORE.sub(" ", _fold(text))
    found = [moment for clause in _CLAUSES.split(folded)
             if (_PROMISED.search(clause) or _BY.search(clause) or _names_deadline(clause))
             and not _SINCE.search(clause)
             and (moment := _clause_moment(clause, at)) is not None and moment > at]
    return min(found) if found else None


def committed_by(text: str, at: datetime) -> datetime | None:
    """The moment a reply of ours written at *at* says we will have done or said something by, or None.

    Read from the clauses where we say we will act ("I'll restore it tonight and confirm by 8am"),
    whether or not the reply also tells what was done: a dated commitment is a promise.
    """
    folded = _fold(text)
    if not _OUR_FUTURE.search(folded):
        return None  # most replies: one search instead of one per clause
    found = [moment for clause in _CLAUSES.split(folded) if _OUR_FUTURE.search(clause)
             and (moment := _clause_moment(clause, at)) is not None and moment > at]
    return min(max(found), at + LONGEST) if found else None


def customer_due(text: str, at: datetime) -> datetime | None:
    """The nearest deadline a customer's message written at *at* (aware) names, or None.

    Only clauses naming an event that will not wait ("opens", "expire", "la
    réunion"...) or a need by a moment ("il nous le faut avant jeudi") count:
    "le site est tombé ce matin à 9h" tells what happened.
    """
    folded = _fold(text)
    if not (_EVENT.search(folded) or _BY.search(folded) or _OR_ELSE.search(folded) or _OBLIGED.search(folded)):
        return None  # most messages: one search instead of one per clause
    folded = _AWAY.sub(" ", _NOT_BEFORE.sub(" ", folded))
    clauses = [_without_story(clause).strip() for clause in _CLAUSES.split(folded)]
    found = []
    for n, clause in enumerate(clauses):
        if not _names_deadline(clause):
            continue
        moments = [_due_moment(clause, at)]
        otherwise = _OR_ELSE.match(clause)
        if otherwise and n and not _SINCE.search(clauses[n - 1]):
            # "Our wholesaler collects the file at 05:00. If it isn't there, our branches get nothing tomorrow":
            # what must be there is due at 05:00.
            moments.append(_clause_moment(clauses[n - 1], at))
        found += [moment for moment in moments if moment is not None and at < moment <= at + FARTHEST_DUE]
    return min(found) if found else None


def expires_by(text: str, at: datetime) -> datetime | None:
    """The nearest coming moment *text* (a notice a customer quotes or forwards, written down at *at*) says
    something expires, or None: "Expiration du certificat actuel : 20/11/2027 02:00 UTC", "the domain
    example.fr expires on 3 January". Whoever wrote it, an expiry is due then."""
    folded = _fold(text)
    if not _EXPIRES.search(folded):
        return None
    found = [moment for clause in _CLAUSES.split(folded)
             if _EXPIRES.search(clause) and not _SINCE.search(clause)
             and (moment := _clause_moment(clause, at)) is not None and at < moment <= at + FARTHEST_DUE]
    return min(found) if found else None


def _due_moment(clause: str, at: datetime) -> datetime | None:
    # The day named after "before" is the deadline's, whatever day the story before it names: "comme convenu
    # vendredi, il nous faut la clé avant l'envoi de l'infolettre mercredi à 7h" is due Wednesday.
    # (An aside names no deadline: "aujourd'hui avant 17h (nouvelle grille exigée au 1er décembre)" is today's.)
    by = _BY.search(clause)
    if by and by.start() > 0 and not _PAST.search(clause):
        after = _ASIDE.sub(lambda m: m.group() if _ZONE.search(m.group()) else " ", clause[by.start():])
        if _day(after, at) is not None and (moment := _clause_moment(after, at)) is not None:
            return moment
    # Before "if it doesn't run, ..." is when it runs; after it, what follows: "the export runs at 23:00:
    # if it doesn't run, the warehouse ships nothing tomorrow" is due at 23:00, not tomorrow.
    otherwise = _OR_ELSE.search(clause)
    if otherwise and otherwise.start() > 0:
        before = _clause_moment(clause[:otherwise.start()], at)
        if before is not None:
            return before
    return _clause_moment(clause, at)


# A monitor's fill rate: "97% used (growth 0.8%/h over last 6h)", "88 % (seuil 85 %). Croissance +2,1 %/h",
# "at 88% and growing about 1% per hour". The usage is the first percentage of the line (the threshold
# beside it is not), the rate the first percentage per hour or day after it.
_USAGE = re.compile(r"(?<![\d.,])(\d{1,3}(?:[.,]\d+)?)\s?%")
_RATE = re.compile(r"(\d{1,2}(?:[.,]\d+)?)\s?%\s?(?:/\s?(?:(\d{1,2})\s?)?(h|j|d|jour|day|min)\b|"
                   r"(?:per|an|a|par)\s(hour|heure|day|jour)\b|"
                   # ...or "Croissance +1 % toutes les 10 minutes", "+2% every 15 min"
                   r"(?:toutes les|every)\s(\d{1,3})\s?(min|h)\w*)")
_GROWS = re.compile(r"\b(?:growth|growing|grows|trend|tendance|croissance|augmente|progresse|rate|rythme|taux|"
                    # ...as people say it: "ça grimpe d'environ 1 % par heure", "it's climbing 2% an hour"
                    r"grimpe|monte|prend|gagne|climbing|climbs|rising|rises|increasing|increases)\b|"
                    r"\+\s?(?=\d)")
_ESTIMATE_WORDS = ("saturation", "full", "plein", "fill")
_RATE_REACH = 120  # characters after the usage where its rate may be written
_LINE = re.compile(r"[^\n]+")
_FREE = re.compile(r"\b(?:free|libre)\b[^%\n]{0,60}?(?:less than|below|under|inf[ée]rieur à|moins de|<|"
                   # ...or the monitor's value: "Free disk space on /var/lib/mysql is 3% (average growth 1.2%/h)"
                   r"\bis|\best de|\best|:|=)\s?(\d{1,2}(?:[.,]\d+)?)\s?%")
# ...or the monitor's own estimate: "Estimation de saturation : ~4h", "full in about 3 hours".
_ESTIMATE = re.compile(r"\b(?:saturation|full|plein|pleine|fills? up)\b[^\n.;]{0,25}?(?:~|≈|environ|about|around|"
                       r"approx\.?)?\s?(\d{1,2})\s?(h|heures?|hours?|hrs?|min|minutes?|mn)\b")
# ...or the moment someone worked out from the rate: "À ce rythme le disque est plein vers 15h30 UTC", "the disk
# will be full around 17:30".
_FULL_AT = re.compile(r"\b(?:plein|pleine|full|saturée?|saturation)\b[^\n.;]{0,20}?\b(?:vers|around|at|by|à|avant|"
                      r"before)\s[^\n.;,]{0,25}")
# ("plein vers 3h" is a time of day, not three hours.)
_AT_CLOCK = re.compile(r"\b(?:vers|à|at|by|avant|before)\s\d{1,2}\s?(?:h|heures?)\b")
_WAS_FULL = re.compile(r"\b(?:était|etait|a été|a ete|avait été|was|were|had been|got)\b[^\n.;]*$")
# What fills is storage: a CPU "95% (+3%/h)" does not.
_STORAGE = re.compile(r"\b(?:disk|disque|storage|stockage|volume|partition|filesystem|quota|espace|space|inodes?|"
                      r"mailbox|mailstore|boite|bo\u00eete|used|utilis\w*)\b|(?:^|\s)/[a-z]")


def fills_by(text: str, at: datetime) -> datetime | None:
    """When a disk or volume the *text* (a monitor's alert, or a message quoting one) reports fills up at the rate
    it gives, read at *at*, or None: "97% used (growth 0.8%/h)" at 16:00 is full at 19:45. A rate per day
    that leaves more than FARTHEST_DUE is a plan, not a deadline."""
    lower = text.lower()
    if "%" not in lower and not any(word in lower for word in _ESTIMATE_WORDS):
        return None  # most messages
    if not _STORAGE.search(lower):
        return None
    # (Not what it was: "Le disque était plein vers 3h du matin, on a purgé".)
    found = [at + (timedelta(minutes=int(m.group(1))) if m.group(2).startswith("m") else timedelta(hours=int(m.group(1))))
             for m in _ESTIMATE.finditer(lower)
             if not _AT_CLOCK.search(m.group(0)) and not _WAS_FULL.search(lower, max(0, m.start() - 25), m.start())]
    for m in _FULL_AT.finditer(lower):
        if not _WAS_FULL.search(lower, max(0, m.start() - 25), m.start()):
            moment = _clause_moment(m.group(0), at)
            if moment is not None and at < moment <= at + FARTHEST_DUE:
                found.append(moment)
    for line in _LINE.finditer(lower):
        # The usage, not a threshold said before it: "Free disk space is less than 5% … used 95.1%".
        usage = next((u for u in _USAGE.finditer(line.group(0)) if 50 <= float(u.group(1).replace(",", ".")) < 100),
                     None)
        free = _FREE.search(line.group(0)) if usage is None else None
        if free is not None:
            # ...or what is left: "Free disk space is less than 5% on volume /var/lib/mysql" is 95% used.
            usage = free
        if usage is None:
            continue
        # The rate may be on the monitor's next line ("Value: 90.6%" / "Trend: +0.9% / 10 min").
        start = line.start() + usage.end()
        rest = lower[start:start + _RATE_REACH]
        rate = _RATE.search(rest)
        if rate is None or not _GROWS.search(rest[:rate.start() + 1]):
            continue
        used, per = float(usage.group(1).replace(",", ".")), float(rate.group(1).replace(",", "."))
        if free is not None:
            used = 100 - used
        # "+1.3% / 10 min", "+1 % toutes les 10 minutes": every 10 minutes
        unit, every = rate.group(3) or rate.group(4) or rate.group(6), int(rate.group(2) or rate.group(5) or 1)
        if not 50 <= used < 100 or per <= 0 or every == 0:
            continue
        hours = (100 - used) / per * every * {"j": 24, "d": 24, "jour": 24, "day": 24, "min": 1 / 60}.get(unit, 1)
        if hours <= FARTHEST_DUE.total_seconds() / 3600:
            found.append(at + timedelta(minutes=round(hours * 60)))
    return min(found) if found else None


def storage_used(text: str) -> float | None:
    """The share of a disk or volume a monitor's alert (*text*) says is used, in percent, or None: "used 95.1%",
    "Free disk space on /var/lib/mysql is less than 3% (2.6% free)" (97.4: what is free, said in brackets, over the
    alert's threshold)."""
    lower = text.lower()
    if "%" not in lower or not _STORAGE.search(lower):
        return None
    for line in _LINE.finditer(lower):
        usage = next((u for u in _USAGE.finditer(line.group(0)) if 50 <= float(u.group(1).replace(",", ".")) < 100),
                     None)
        if usage is not None:
            return float(usage.group(1).replace(",", "."))
        said_free = _FREE_SAID.search(line.group(0))
        free = said_free or _FREE.search(line.group(0))
        if free is not None and (left := float(free.group(1).replace(",", "."))) < 50:
            return 100 - left
    return None


# What is free, as a monitor adds it after its threshold: "(2.6% free)", "— 3.1% free (12.4 GB)", "(4,1 % libre)".
_FREE_SAID = re.compile(r"(?<![\d.,])(\d{1,2}(?:[.,]\d+)?)\s?%\s?(?:free|libre)\b")


def fills_at_pace(used: float, at: datetime, earlier: float, earlier_at: datetime) -> datetime | None:
    """When a volume fills at the pace two alerts show (*earlier*% used at *earlier_at*, *used*% at *at*), or None
    when it does not grow or fills beyond FARTHEST_DUE: 91.3% six hours ago and 97.4% now is full in about five
    hours. (Each alert alone gives no rate: "less than 5%" then "less than 3%" does.)"""
    hours = (at - earlier_at).total_seconds() / 3600
    if hours <= 0 or used <= earlier or used >= 100:
        return None
    left = (100 - used) / ((used - earlier) / hours)
    return at + timedelta(minutes=round(left * 60)) if left <= FARTHEST_DUE.total_seconds() / 3600 else None


def _clause_moment(clause: str, at: datetime, *, upper: bool = False) -> datetime | None:
    """The moment *clause* names, written at *at*, or None. A span ("within 12-24h", "sous 24 à 48 h") is its
    first end, the soonest it may be needed; *upper*: its last, what we committed to."""
    if _PAST.search(clause):
        # What was done ("j'ai activé hier soir..."), not what is promised; unless a delay is named after it, in a
        # part of its own: "je lance la restauration depuis la sauvegarde d'hier, ce sera fait dans l'heure".
        delay = _DURATION.search(clause) or _DURATION_BY.search(clause)
        part = clause[clause.rfind(",", 0, delay.start()) + 1:] if delay else ""
        if not part or part.startswith(clause) or _PAST.search(part):
            return None
        clause = part
    zone = _ZONE.search(clause)
    if zone:
        at = at.astimezone(ZoneInfo(_ZONE_NAMES[zone.group(1) or zone.group(2)]))
    duration = _DURATION.search(clause) or _DURATION_BY.search(clause)
    if duration and duration.group(2).startswith(("jour", "day")) and _day(clause, at) is not None:
        # Days counted beside the date they lead to: the date is the exact one. "will expire in 0 days (on
        # 2026-12-07 23:59:59 UTC)" expires at midnight, not the moment the notice was sent.
        duration = None
    if duration:
        said, unit = duration.group(1), duration.group(2)
        if said[0].isdigit():
            ends = re.findall(r"\d+", said)
            n = int(ends[-1] if upper else ends[0])
            step = timedelta(minutes=n) if unit.startswith("min") else (
                timedelta(days=n) if unit.startswith(("jour", "day")) else timedelta(hours=n))
        else:  # "une heure" is 60 minutes, "une demi-heure" 30, "un jour" a day
            part = _WORDED[said]
            step = (timedelta(minutes=1) if unit.startswith("min") else timedelta(days=part / 60)
                    if unit.startswith(("jour", "day")) else timedelta(minutes=part))
        return at + step
    day = _day(clause, at)
    hour = _hour(clause)
    if day is None and hour is None:
        return None
    if day is None:
        moment = at.replace(hour=hour.hour, minute=hour.minute, second=0, microsecond=0)
        # "avant 14h" written at 16:00 means tomorrow's 14:00.
        return moment if moment > at else moment + timedelta(days=1)
    when = hour or (_DAY_END if _EXPIRES.search(clause) else _WORKDAY_END)
    moment = datetime.combine(day, when, tzinfo=at.tzinfo)
    if moment <= at and hour is not None and hour < _NIGHT_ENDS and day == at.date() and _NIGHT.search(clause):
        moment += timedelta(days=1)  # "tonight at 00:00 UTC", "cette nuit à 2h": the small hours after today
    return moment


_NIGHT = re.compile(r"\b(?:tonight|ce soir|cette nuit|this evening|overnight)\b")
_NIGHT_ENDS = time(6, 0)


# A weekday with its date after it: the date names the day ("avant le lundi 14 décembre 18h00", said on Monday the
# 14th, is today, not next week).
_DATED = re.compile(r"\s+(?:le\s+|the\s+)?(?:" + _DATE.pattern + "|" + _NUMERIC_DATE.pattern + ")")


def _day(clause: str, at: datetime):
    """The day a clause names, or None. A weekday beside "ce soir"/"today" may be today's
    ("ce soir mardi" on a Tuesday); alone it is the next one ("jeudi" said on a Thursday: next week's)."""
    today = at.date()
    said_today = _TODAY.search(clause) is not None
    m = _WEEKDAY.search(clause)
    if m and ("black" in clause or "cyber" in clause):
        m = _WEEKDAY.search(_SALE_NAMES.sub(" ", clause)) or m
    if m and not _DATED.match(clause, m.end()):
        ahead = (_WEEKDAYS[m.group(1)] - today.weekday()) % 7
        return today + timedelta(days=ahead if ahead or said_today else 7)
    if _TOMORROW.search(clause):
        return today + timedelta(days=1)  # "ce soir je teste, demain je vous dis": tomorrow
    if said_today:
        return today
    m = _DATE.search(clause)
    if m:
        day_text, month_text = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        try:
            named = today.replace(month=_MONTHS[month_text], day=int(day_text))
        except ValueError:
            return None
        return _upcoming(named, today)
    m = _ISO_DATE.search(clause)
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    m = _NUMERIC_DATE.search(clause)
    if m:
        year = m.group(3)
        try:
            named = today.replace(month=int(m.group(2)), day=int(m.group(1)))
            if year:
                return named.replace(year=int(year) + (2000 if len(year) == 2 else 0))
        except ValueError:
            return None
        return _upcoming(named, today)
    m = _MONTH_DAY.search(clause)
    if m:
        day = int(m.group(1) or m.group(2))
        # The next such day: this month's if it is still to come, else the next month's.
        month, year = (today.month, today.year) if day >= today.day else (
            (today.month % 12) + 1, today.year + (today.month == 12))
        try:
            return date(year, month, day)
        except ValueError:
            return None  # "le 31" in a month of 30 days: no moment rather than a wrong one
    if _WEEK_END.search(clause):
        return today + timedelta(days=max(0, 4 - today.weekday()))
    return None


# A sale named after a day is not that day when another is named: "nos ventes privées Black Friday samedi 20
# novembre à 6h00".
_SALE_NAMES = re.compile(r"\b(?:black friday|cyber monday)\b")


def _upcoming(named, today):
    # "le 3 janvier" written in late December is next year's.
    return named.replace(year=named.year + 1) if named < today - timedelta(days=60) else named


def _hour(clause: str) -> time | None:
    if _MIDNIGHT.search(clause):
        return _DAY_END
    m = _AMPM.search(clause)
    if m and 1 <= int(m.group(1)) <= 12:
        return time(int(m.group(1)) % 12 + (12 if m.group(3) == "pm" else 0), int(m.group(2) or 0))
    for pattern in (_HHMM, _BARE_HOUR):
        for m in pattern.finditer(clause):
            h, minutes = int(m.group(1)), int(m.group(2) or 0) if pattern is _HHMM else 0
            if h <= 23 and minutes <= 59:
                return time(h, minutes)
    if _NOON.search(clause):
        return time(12, 0)
    for pattern, when in _PART:
        if pattern.search(clause):
            return when
    return None
