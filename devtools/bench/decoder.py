"""The jargon decoder on what customers send: a 2 kB message, one 100 000-letter word, a 2 MB pasted log.

It runs on the customer's latest message each time a case is opened (in a
worker, but holding the interpreter), so hostile sizes must cost what a
short message costs.
"""

from __future__ import annotations

import statistics
import time

from oncall_tui.core.intents import decode
from oncall_tui.usecases.models import shipped

from .data import long_word, pasted_log

LONG_WORD = 100_000  # letters
BIG_MESSAGE = 2 * 2 ** 20  # bytes


def message_2kb() -> str:
    """A 2 kB French message with a quoted reply: what the decoder reads most days.

    Its words do not repeat (a repeated paragraph would make it cheaper than
    real mail: the reader's cost grows with the distinct n-grams written).
    """
    own = (
        "Bonjour, depuis la mise à jour d'hier soir notre boutique en ligne boutique-martin.fr est très lente "
        "et le cadenas a disparu dans la barre d'adresse : Chrome affiche « votre connexion n'est pas privée » "
        "et plusieurs clients nous ont écrit à contact@boutique-martin.fr pour savoir si leurs paiements sont "
        "sécurisés. Nous avons aussi acheté la semaine dernière le nom martin-epicerie.com, qui devrait "
        "afficher le même site ; pour l'instant il montre une page par défaut d'Apache. Notre prestataire "
        "dit que le certificat a expiré le 2 mars et qu'il faut charger un SSL valable pour les deux noms, "
        "avec et sans www. Pouvez-vous vous en occuper aujourd'hui ? Nous lançons les soldes vendredi matin "
        "et une newsletter part à 12 000 abonnés jeudi soir, donc chaque heure compte. Par ailleurs, la "
        "sauvegarde de nuit échoue depuis trois jours avec un message « No space left on device » sur "
        "/var/backups ; je ne sais pas si c'est lié. Le serveur s'appelle web-03 chez vous, à Roubaix je "
        "crois. Si vous avez besoin d'un accès à notre back-office ou d'un rendez-vous téléphonique, "
        "appelez-moi au 06 12 34 56 78 entre 9 h et 18 h ; mon associé Julien peut aussi répondre le "
        "matin. Merci d'avance pour votre réactivité, nous sommes clients depuis 2014 et n'avons jamais "
        "eu de souci de ce genre. Bien à vous, Claire Martin, gérante"
    )
    quoted = "\n".join("> " + line for line in (
        "Bonjour Madame Martin,", "Votre demande a bien été enregistrée sous le numéro T-48213.",
        "Un technicien reviendra vers vous dans les meilleurs délais.", "L'équipe support") * 4)
    return (own + "\n\nLe lun. 3 mars 2025 à 09:14, Support Altiloc <support@altiloc.fr> a écrit :\n"
            + quoted)[:2048]


def measure_decoder(out: dict) -> None:
    models = shipped()
    rules, reader = models.rules, models.reader  # as the product decodes: the rules and the reader
    text = message_2kb()
    # As the case screen reads it (`decode`: a proposal, or the best guess shown as unsure). The message asks
    # for several things at once; the measure needs it read through, whichever the reader settles on.
    reading = decode(text, rules=rules, reader=reader)
    if not (reading.proposals or reading.unsure):
        raise RuntimeError("the jargon decoder read no request at all in the benchmark message")
    out["intents_2kb_ms"] = best_of(lambda: decode(text, rules=rules, reader=reader), median=True)
    word = long_word(LONG_WORD)
    out["intents_word_ms"] = best_of(lambda: decode(word, rules=rules, reader=reader))
    log = pasted_log(BIG_MESSAGE)
    out["intents_2mb_ms"] = best_of(lambda: decode(log, rules=rules, reader=reader))


def best_of(run, repeats: int = 30, median: bool = False) -> float:
    """Milliseconds of the fastest of *repeats* runs (other processes share the CPU), or their median."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return (statistics.median(times) if median else min(times)) * 1000
