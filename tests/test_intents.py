"""The jargon decoder: customers' own words in, the right one-key action out."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncall_tui.core.intent_rules import RulesError
from oncall_tui.core.intents import INTENTS, Proposal, describe

from .models import extract_domains, load_rules, propose

D = "domain"


def case(text, expected, known=(), *, id):
    """expected: {intent: exact params}; {} means the message asks for nothing."""
    return pytest.param(text, tuple(known), expected, id=id)


CORPUS = [
    # --- issue_certificate
    case("Bonjour,\nPouvez-vous charger un SSL sur boutique-martin.fr ? Merci\nPaul",
         {"issue_certificate": {D: "boutique-martin.fr"}}, id="fr-charger-un-ssl"),
    case("bonjour le cadenas a disparu sur www.patisserie-lyon.fr, le navigateur dit site non securise. cordialement",
         {"issue_certificate": {D: "www.patisserie-lyon.fr"}}, id="fr-cadenas-no-accents"),
    case("Hi, Chrome says 'Not Secure' when I open https://acme-widgets.com/shop. Can you fix it?",
         {"issue_certificate": {D: "acme-widgets.com"}}, id="en-not-secure-url"),
    case("Getting NET::ERR_CERT_DATE_INVALID on blog.fromagerie-dupont.io since this morning",
         {"renew_certificate": {D: "blog.fromagerie-dupont.io"}}, id="en-err-cert-date-invalid-is-a-renewal"),
    case("Je voudrais activer le cryptage sur mon site immo-provence.fr, un client m'a dit que c'était "
         "obligatoire maintenant.", {"issue_certificate": {D: "immo-provence.fr"}}, id="fr-cryptage"),
    case("Comment crypter le site ? (lesjardinsdemarie.fr)",
         {"issue_certificate": {D: "lesjardinsdemarie.fr"}}, id="fr-crypter-le-site"),
    case("Could you set up Let\u2019s Encrypt for shop.nordic-bikes.se please? Thanks!",
         {"issue_certificate": {D: "shop.nordic-bikes.se"}}, id="en-lets-encrypt-curly-apostrophe"),
    case("P1: prod is 500ing on every route since last night's deploy, shop.larkspur-tea.com, please jump on it",
         {"site_down": {D: "shop.larkspur-tea.com"}}, id="en-500ing"),
    case("URGENT!!! CERTIFICATE EXPIRED ON WWW.BIGSALE.COM CUSTOMERS CANT PAY",
         {"renew_certificate": {D: "www.bigsale.com"}}, id="en-shouting-certificate-expired"),
    case("Bonjour, il faudrait un certificat https pour café-martin.fr svp.",
         {"issue_certificate": {D: "café-martin.fr"}}, id="fr-idn-domain"),
    case("slt, le certifcat de monsite-perso.fr a expiré, vous pouvez le renouveler ?",
         {"renew_certificate": {D: "monsite-perso.fr"}}, id="fr-typo-certifcat-renewal"),
    case("We've never had HTTPS on our new shop greenbean-coffee.com, can you set it up?",
         {"issue_certificate": {D: "greenbean-coffee.com"}}, id="en-never-had-https-is-a-first-issuance"),
    # --- renew_certificate
    case("Our certificate for tickets.jazzfest.org expires on Friday, please renew it before then.",
         {"renew_certificate": {D: "tickets.jazzfest.org"}}, id="en-expires-friday-renew"),
    case("Firefox dit que le certificat n'est plus valide sur cave-du-roy.fr depuis ce matin",
         {"renew_certificate": {D: "cave-du-roy.fr"}}, id="fr-certificat-plus-valide"),
    case("le renouvellement auto du SSL a échoué, le cadenas est barré depuis hier",
         {"renew_certificate": {D: "pressing-martin.fr"}}, known=["pressing-martin.fr"],
         id="fr-renouvellement-echoue-single-known"),
    # --- add_vhost
    case("Bonjour, j'aurais besoin d'un accès ftp pour mon nouveau site lavieenrose-deco.fr",
         {"add_vhost": {D: "lavieenrose-deco.fr"}}, id="fr-ftp-means-vhost"),
    case("We bought a new domain, greenleaf-tea.co.uk, can you put it on the server too?",
         {"add_vhost": {D: "greenleaf-tea.co.uk"}}, id="en-new-domain-on-server"),
    case("Est-il possible d'héberger un deuxième site sur notre serveur ? Ce serait atelier-bois.fr",
         {"add_vhost": {D: "atelier-bois.fr"}}, id="fr-heberger-deuxieme-site"),
    case("please add a vhost for api.trackfleet.io pointing to /var/www/api",
         {"add_vhost": {D: "api.trackfleet.io"}}, id="en-vhost"),
    # --- "when it is back" is a condition, not a report that it is back
    case("Appel Mme Roux 9h : son site boulangerie-roux.fr ne marche plus, « Ce site est inaccessible » sur son "
         "téléphone. Rappeler dès que c'est revenu.",
         {"site_down": {D: "boulangerie-roux.fr"}}, id="fr-condition-des-que-c-est-revenu"),
    # --- create_database
    case("Il me faudrait une nouvelle BDD pour le blog de boutique-martin.fr",
         {"create_database": {D: "boutique-martin.fr"}}, id="fr-bdd"),
    case("Can you create a new MySQL database for our staging app? Domain is staging.pixelforge.dev",
         {"create_database": {D: "staging.pixelforge.dev"}}, id="en-new-mysql-database"),
    case("bonjour, pouvez vous creer une base de donnees pour wordpress sur le domaine ecole-musique-nantes.fr",
         {"create_database": {D: "ecole-musique-nantes.fr"}}, id="fr-base-de-donnees-no-accents"),
    # --- disk_usage
    case("Bonjour, on a un message memoire pleine sur le serveur de ferme-bio.fr, on ne peut plus uploader "
         "de photos", {"disk_usage": {D: "ferme-bio.fr"}}, id="fr-memoire-pleine-means-disk"),
    case("Our deploy fails with: write error: No space left on device\nsite: app.quicktix.com",
         {"disk_usage": {D: "app.quicktix.com"}}, id="en-no-space-left-on-device"),
    case("Le quota est atteint sur mon hébergement, je ne peux plus recevoir de fichiers",
         {"disk_usage": {D: "nounou-paris.fr"}}, known=["nounou-paris.fr"], id="fr-quota-single-known-domain"),
    case("DISK FULL AGAIN!!! THIS IS THE THIRD TIME THIS MONTH",
         {"disk_usage": {}}, known=["alpha-shop.com", "beta-blog.com"], id="en-shouting-disk-full-no-domain"),
    # One site and its subdomain: "the website" is the main site.
    case("Hiya, the padlock on our website has gone red and it says the certificate expired yesterday?",
         {"renew_certificate": {D: "leevalleyvets.ie"}}, known=["leevalleyvets.ie", "booking.leevalleyvets.ie"],
         id="en-our-website-is-the-main-site"),
    # A subdomain named to say it is not the one meant ("the shop seems fine", "pas la boutique") is not chosen.
    case("Hi, the padlock on the club website has gone red, the certificate expired yesterday. The shop seems fine.",
         {"renew_certificate": {D: "ashbytownfc.co.uk"}}, known=["ashbytownfc.co.uk", "shop.ashbytownfc.co.uk"],
         id="en-the-shop-seems-fine-is-not-the-one"),
    case("Bonjour, le certificat du site a expiré hier, pouvez-vous le renouveler ? La boutique n'est pas concernée.",
         {"renew_certificate": {D: "terroir-alpin.fr"}}, known=["terroir-alpin.fr", "boutique.terroir-alpin.fr"],
         id="fr-la-boutique-pas-concernee"),
    # ...but "pas la" elsewhere in the clause says nothing of which site.
    case("La boutique affiche une erreur 500 et ne charge pas la page panier depuis ce matin.",
         {"site_down": {D: "boutique.terroir-alpin.fr"}}, known=["terroir-alpin.fr", "boutique.terroir-alpin.fr"],
         id="fr-pas-la-page-is-not-pas-la-boutique"),
    case("Pouvez-vous passer le site en PHP 8.3 ? On touchera à la boutique plus tard.",
         {"php_version": {D: "editions-lumen.fr", "version": "8.3"}},
         known=["editions-lumen.fr", "boutique.editions-lumen.fr"], id="fr-la-boutique-plus-tard"),
    # A subdomain named by its role in the customer's words: "la billetterie" is tickets.…, "booking" reservations.….
    case("La billetterie affiche « 504 Gateway Time-out » depuis vingt minutes, pouvez-vous regarder ?",
         {"site_down": {D: "tickets.souslessaules.be"}},
         known=["souslessaules.be", "tickets.souslessaules.be", "benevoles.souslessaules.be"],
         id="fr-la-billetterie-is-tickets"),
    case("Our booking page has been down with a 503 error since last night, could you look at it?",
         {"site_down": {D: "reservations.cabane-arpette.ch"}},
         known=["cabane-arpette.ch", "reservations.cabane-arpette.ch"], id="en-booking-page-is-reservations"),
    # Two of their sites named, one said to be fine: the other is the one.
    case("Our new harbourlights-cafe.com is live! The old harbourlights.ie has the padlock and works fine, could "
         "you get the padlock on the new one too?", {"issue_certificate": {D: "harbourlights-cafe.com"}},
         known=["harbourlights.ie", "harbourlights-cafe.com"], id="en-the-old-one-works-fine"),
    # ...or several, set between commas before what is said of them.
    case("Could you switch PHP to 8.3 on one site? The others, kilmore-bakes.ie and kilmore-cafe.ie, are fine on "
         "8.1; it's kilmore-bakes.fr that needs it.", {"php_version": {D: "kilmore-bakes.fr", "version": "8.3"}},
         known=["kilmore-bakes.ie", "kilmore-cafe.ie", "kilmore-bakes.fr"], id="en-the-others-between-commas-are-fine"),
    # ...said to work in French, in a clause turned by "but", or named as the model to follow.
    case("Le nouveau site atelier-faure-maison.fr n'a toujours pas le cadenas. Sur atelier-faure.fr aucun souci, "
         "pouvez-vous faire pareil ?", {"issue_certificate": {D: "atelier-faure-maison.fr"}},
         known=["atelier-faure.fr", "atelier-faure-maison.fr"], id="fr-the-other-has-no-trouble"),
    case("The Cork page is fine but the Galway one says NET::ERR_CERT_DATE_INVALID since Monday.",
         {"renew_certificate": {D: "galway.tidewatercafe.ie"}},
         known=["tidewatercafe.ie", "cork.tidewatercafe.ie", "galway.tidewatercafe.ie"], id="en-fine-but-the-other"),
    case("The farm shop glenbrook-farmshop.ie still shows Not Secure. Could you set up HTTPS like on the main "
         "site glenbrook.ie?",
         {"issue_certificate": {D: "glenbrook-farmshop.ie"}}, known=["glenbrook.ie", "glenbrook-farmshop.ie"],
         id="en-like-on-the-main-site"),
    # A signature listing their sites under the name, with no closing above it, names none of them.
    case("Bonjour,\nla boutique en ligne ne s'affiche plus depuis ce matin, page blanche. Le site du domaine "
         "marche.\nMerci de faire vite\nClaire Roux\nDomaine Roux — domaine-roux.fr — roux-gites.fr",
         {"site_down": {D: "boutique.domaine-roux.fr"}},
         known=["domaine-roux.fr", "roux-gites.fr", "boutique.domaine-roux.fr"], id="fr-signature-with-separators"),
    # A name run together ("harvestfairtralee"), said in words; of two sites, the other one when one is fine.
    case("Could you put the padlock on the harvest fair site please? Chrome says Not secure on the stall page.",
         {"issue_certificate": {D: "harvestfairtralee.ie"}}, known=["harvestfairtralee.ie", "tralee-events.ie"],
         id="en-a-name-run-together"),
    case("The catering site loads fine, but since 9am the other one says This site can't be reached.",
         {"site_down": {D: "rosehillbakery.co.uk"}}, known=["rosehillbakery.co.uk", "rosehillcatering.co.uk"],
         id="en-the-other-one"),
    case("Il faudrait une nouvelle base de données pour un module de fidélité, pas sur le site pro.",
         {"create_database": {D: "fromagerie-vidal.fr"}}, known=["fromagerie-vidal.fr", "vidal-pro.fr"],
         id="fr-pas-sur-le-site-pro"),
    # A signature on one line cut twice; the site in the quoted reply beats the agency's in the signature.
    case("Could you restore the uploads folder of Kilbride Dental's site from last night's backup?\n\n"
         "Aoife Byrne – Brightside Web – +353 1 555 0101", {"backup_restore": {D: "kilbridedental.ie"}},
         known=["kilbridedental.ie", "brightsideweb.ie"], id="en-signature-on-one-line"),
    case("Thanks! Could you also add an SSL certificate for it?\n\nTom\nRedbrick Studio - redbrickstudio.co.uk\n\n"
         "> On 2 Nov, Support wrote:\n> The site harbourfest-cobh.ie is now live on your account.",
         {"issue_certificate": {D: "harbourfest-cobh.ie"}}, known=["harbourfest-cobh.ie", "redbrickstudio.co.uk"],
         id="en-the-quoted-site-not-the-signature"),
    # "le marché" is a noun, not "it works": the domain bought for that market is the one.
    case("Nous avons acheté faure-export.com pour le marché allemand, pouvez-vous créer le vhost à côté de "
         "atelier-faure.fr ?", {"add_vhost": {D: "faure-export.com"}},
         known=["atelier-faure.fr"], id="fr-le-marche-is-not-it-works"),
    # Sites under one name told apart by their ending alone ("the .fr site"), the other said to be fine.
    case("Could you switch the .fr site to PHP 8.2 please? The .ie one is fine as it is.",
         {"php_version": {D: "kilmore-bakes.fr", "version": "8.2"}}, known=["kilmore-bakes.ie", "kilmore-bakes.fr"],
         id="en-the-dot-fr-site"),
    case("Bonjour, le certificat du site en .be a expiré ce matin, pouvez-vous le renouveler ?",
         {"renew_certificate": {D: "chocolaterie-nys.be"}}, known=["chocolaterie-nys.nl", "chocolaterie-nys.be"],
         id="fr-le-site-en-point-be"),
    case("Mon espace mémoire est saturé, je ne peux plus envoyer de mails",
         {"disk_usage": {}}, id="fr-espace-memoire-sature"),
    # --- clone_environment
    case("Salut, vous pouvez cloner la prod de boutique-martin.fr vers la préprod avant nos tests de jeudi ?",
         {"clone_environment": {D: "boutique-martin.fr", "source": "production", "target": "staging"}},
         id="fr-cloner-la-prod-vers-preprod"),
    case("We need a fresh staging copy of www.lumen-apps.com before the release.",
         {"clone_environment": {D: "www.lumen-apps.com", "target": "staging"}}, id="en-staging-copy"),
    case("Serait-il possible d'avoir une copie de préprod pour le site voyages-azur.fr ?",
         {"clone_environment": {D: "voyages-azur.fr", "target": "staging"}}, id="fr-copie-de-preprod"),
    # The copy's name written beside the site: both go to the runbook (the site, and its copy).
    case("Bonjour, merci de dupliquer boucherie-lapointe.ca vers preprod.boucherie-lapointe.ca (base + fichiers).",
         {"clone_environment": {D: "boucherie-lapointe.ca", "target_domain": "preprod.boucherie-lapointe.ca",
                                "source": "production"}}, id="fr-dupliquer-vers-preprod-nommee"),
    case("Please clone prod (app.tallyhq.io) into a new env at demo.tallyhq.io for a sales demo.",
         {"clone_environment": {D: "app.tallyhq.io", "target_domain": "demo.tallyhq.io", "source": "production"}},
         id="en-clone-into-demo-host"),
    # The copy of one site among several is often named after it: learn-test beside learn.
    case("Please clone the Moodle (learn.hapennylanguage.ie), code and DB, to learn-test.hapennylanguage.ie.",
         {"clone_environment": {D: "learn.hapennylanguage.ie", "target_domain": "learn-test.hapennylanguage.ie",
                                "source": "production"}}, id="en-clone-into-site-test-host"),
    case("Can we get a staging copy of tickets.souslessaules.be? staging-tickets.souslessaules.be would be perfect.",
         {"clone_environment": {D: "tickets.souslessaules.be", "target_domain": "staging-tickets.souslessaules.be",
                                "source": "production"}}, id="en-clone-into-staging-site-host"),
    # --- add_capacity
    case("On lance une campagne TV mardi, on s'attend à un gros pic de trafic sur promo-jardin.fr. "
         "Faut-il augmenter le serveur ?", {"add_capacity": {D: "promo-jardin.fr"}}, id="fr-pic-de-trafic"),
    case("le serveur rame énormément depuis ce matin, c'est inutilisable",
         {"add_capacity": {D: "cabinet-avocat.fr"}}, known=["cabinet-avocat.fr"], id="fr-le-serveur-rame"),
    case("Could we get more RAM and 2 more CPUs on the shop server (shop.alpine-gear.ch)?",
         {"add_capacity": {D: "shop.alpine-gear.ch"}}, id="en-more-ram-cpu"),
    case("The server is out of memory, php processes get killed (OOM)",
         {"add_capacity": {}}, id="en-memory-is-ram"),
    # --- restart_service
    case("Merci de redémarrer apache sur le serveur de boutique-martin.fr",
         {"restart_service": {D: "boutique-martin.fr", "service": "apache"}}, id="fr-merci-de-is-a-request"),
    case("php-fpm seems stuck, can you restart it? site: docs.lumen-apps.com",
         {"restart_service": {D: "docs.lumen-apps.com", "service": "php-fpm"}}, id="en-restart-php-fpm"),
    case("POUVEZ VOUS RELANCER MYSQL C'EST URGENT",
         {"restart_service": {"service": "mysql"}}, id="fr-shouting-relancer-mysql"),
    # --- site_down
    case("Bonjour, le site est inaccessible depuis 10h : boulangerie-paul.fr",
         {"site_down": {D: "boulangerie-paul.fr"}}, id="fr-site-inaccessible"),
    case("plus rien ne répond !!! ni le site ni le back-office",
         {"site_down": {}}, known=["immo-provence.fr", "location-ski.fr"], id="fr-plus-rien-ne-repond"),
    case("Getting 502 Bad Gateway on https://api.trackfleet.io/v2/health",
         {"site_down": {D: "api.trackfleet.io"}}, id="en-502-bad-gateway"),
    case("J'ai une erreur 500 sur toutes les pages de mon site depuis la mise à jour",
         {"site_down": {D: "kine-bordeaux.fr"}}, known=["kine-bordeaux.fr"], id="fr-erreur-500"),
    case("SITE IS DOWN. WE ARE LOSING MONEY. FIX IT NOW", {"site_down": {}}, id="en-shouting-site-down"),
    case("le site est down depuis 1h, vous pouvez regarder ?", {"site_down": {}}, id="fr-franglais-down"),
    case("bjr, le site est inacessible depui ce matin, erreur 503", {"site_down": {}}, id="fr-typos-inacessible"),
    case("Le site de la boulangerie affiche une erreur 502", {"site_down": {D: "boulangerie-paul.fr"}},
         known=["boulangerie-paul.fr", "traiteur-paul.fr"], id="fr-known-domain-named-in-part"),
    case("the shop is down", {"site_down": {}}, known=["paul-shop.com", "paul-shop.fr"],
         id="en-ambiguous-known-domains-never-guessed"),
    # --- dns_change
    case("Bonjour, depuis la migration notre domaine lesvergersdulac.fr affiche toujours l'ancien site. "
         "Je pense que le DNS n'a pas suivi : pouvez-vous changer l'enregistrement A ?",
         {"dns_change": {D: "lesvergersdulac.fr", "record": "a"}}, id="fr-dns-forgotten-after-migration"),
    case("Please point the MX of kiteschool.es to mx1.newmail.net, priority 10.",
         {"dns_change": {D: "kiteschool.es", "record": "mx"}}, known=["kiteschool.es"], id="en-mx-record"),
    case("Pourriez-vous ajouter un CNAME agenda vers rdv.prendre-rdv.com sur cabinet-leroux.fr ?",
         {"dns_change": {D: "cabinet-leroux.fr", "record": "cname"}}, known=["cabinet-leroux.fr"],
         id="fr-cname-known-domain-not-the-target"),
    # --- mailbox
    case("Bonjour, pourriez-vous créer une boîte mail compta@menuiserie-lebrun.fr pour notre nouvelle comptable ?",
         {"mailbox": {D: "menuiserie-lebrun.fr"}}, id="fr-creer-boite-mail"),
    case("I forgot the password of info@harbourkayaks.ie, can you reset it?",
         {"mailbox": {D: "harbourkayaks.ie"}}, id="en-reset-mailbox-password"),
    case("Il faudrait réinitialiser le mot de passe de sophie@cabinet-morel.fr, elle ne peut plus se connecter.",
         {"mailbox": {D: "cabinet-morel.fr"}}, id="fr-reinitialiser-mot-de-passe"),
    # An address named by its local part alone, on the customer's one domain.
    case("Could we have a tickets@ address? Sales go to my own inbox at the moment.",
         {"mailbox": {D: "ballinakill-gaa.ie"}}, known=["ballinakill-gaa.ie"], id="en-a-local-part-address"),
    case("Il nous faudrait une adresse resa@ pour les réservations de groupes.",
         {"mailbox": {D: "gite-des-combes.fr"}}, known=["gite-des-combes.fr"], id="fr-une-adresse-resa"),
    # --- php_version
    case("Pouvez-vous passer monblog-cuisine.fr en PHP 8.3 ? WordPress le recommande.",
         {"php_version": {D: "monblog-cuisine.fr", "version": "8.3"}}, id="fr-passer-en-php-83"),
    case("Could you switch shop.alpinetea.ch from PHP 7.4 to PHP 8.2 please?",
         {"php_version": {D: "shop.alpinetea.ch", "version": "8.2"}}, id="en-from-74-to-82"),
    case("la version de PHP du site est trop ancienne, il faudrait la mettre à jour",
         {"php_version": {D: "atelier-bois.fr"}}, known=["atelier-bois.fr"], id="fr-version-php-trop-ancienne"),
    # --- backup_restore
    case("Suite à une fausse manipulation, toutes les pages de boutique-ceramique.fr ont disparu. "
         "Pouvez-vous restaurer la sauvegarde de lundi ?", {"backup_restore": {D: "boutique-ceramique.fr"}},
         id="fr-restaurer-la-sauvegarde"),
    case("We accidentally deleted the uploads folder, please restore it from last night's backup",
         {"backup_restore": {D: "quiltandco.com"}}, known=["quiltandco.com"], id="en-restore-from-backup"),
    case("La base de données a été corrompue cette nuit, merci de la restaurer à partir de la sauvegarde d'hier",
         {"backup_restore": {}}, id="fr-restoring-a-database-is-not-creating-one"),
    # --- messages that ask for nothing
    case("Merci beaucoup pour votre aide, tout fonctionne parfaitement maintenant !\nBonne journée\nSophie",
         {}, id="fr-thanks"),
    case("Thanks, the certificate is working now, the padlock is back. Great job!", {},
         id="en-thanks-certificate-works"),
    case("Bonjour, pourriez-vous me renvoyer la facture de mars pour l'hébergement de boutique-martin.fr ? "
         "Notre comptable ne la trouve pas.", {}, id="fr-invoice"),
    case("Hi, the invoice for March lists an SSL certificate we never ordered. Can you check?", {},
         id="en-invoice-mentions-ssl"),
    case("Bonjour, notre contrat arrive à échéance en juin, le certificat SSL est-il inclus dans l'offre ?", {},
         id="fr-contract-question-mentions-ssl"),
    case("Dans quel datacenter sont hébergés mes serveurs ? Nous avons besoin de le savoir pour notre "
         "conformité RGPD.", {}, id="fr-where-are-my-servers"),
    case("Where exactly are our servers located? Our auditor is asking.", {}, id="en-where-are-my-servers"),
    case("C'est bon, le site est de nouveau accessible après le redémarrage, vous pouvez fermer le ticket.", {},
         id="fr-resolved-after-restart"),
    case("the new vhost works, you can close the ticket", {}, id="en-thanks-naming-a-vhost"),
    case("merci, le certificat est bien en place", {}, id="fr-merci-certificat-en-place"),
    case("Super, la nouvelle base de données fonctionne parfaitement, merci !", {}, id="fr-base-fonctionne"),
    case("Thanks! The restore worked, all our photos are back.", {}, id="en-restore-worked"),
    case("PHP 8.2 is live on our site, thanks a lot. You can close this.", {}, id="en-php-done"),
    case("Bonjour, pouvez-vous me rappeler demain matin ?\nCordialement,\nJean Martin\n"
         "Consultant certificats SSL, DNS et bases de données", {}, id="fr-signature-never-triggers"),
    case("Ok merci.\n\nOn Mon, Nov 3, 2025 at 9:00 AM Support wrote:\n> Should we restore the backup and "
         "reset the mailbox password?", {}, id="en-quoted-offer-never-triggers"),
    case("Votre scan indique sslv3 activé, est-ce grave ?", {}, id="fr-sslv3-is-not-ssl"),
    case("Notre client sftpgo affiche une erreur de connexion", {}, id="fr-sftpgo-is-not-ftp"),
    case("Le site ftp.boutique-martin.fr est lent à l'upload, c'est normal ?", {},
         id="fr-ftp-inside-a-domain-is-not-a-request"),
    # --- two requests in one message
    case("Bonjour,\n1) pouvez-vous installer un certificat SSL sur boutique-martin.fr\n"
         "2) et créer une base de données pour le nouveau blog blog.boutique-martin.fr\nMerci",
         {"issue_certificate": {D: "boutique-martin.fr"}, "create_database": {D: "blog.boutique-martin.fr"}},
         id="fr-mixed-certificate-and-database"),
    case("The site www.runclub.org is down again. Please restart nginx.",
         {"site_down": {D: "www.runclub.org"}, "restart_service": {D: "www.runclub.org", "service": "nginx"}},
         id="en-mixed-down-and-restart"),
    case("Le disque est plein et en plus le serveur rame, il faudrait plus de RAM et d'espace",
         {"disk_usage": {}, "add_capacity": {}}, id="fr-mixed-disk-and-ram"),
    # --- quoted history, signatures, e-mail addresses
    case("Merci, c'est noté.\n\nLe mar. 4 mars 2025 à 09:12, Support Hébergeur <support@hebergeur.fr> a écrit :\n"
         "> Bonjour, nous avons installé le certificat SSL sur boutique-martin.fr.\n> Cordialement", {},
         id="fr-quoted-history-alone-proposes-nothing"),
    case("Thanks for the certificate! One more thing: can you restart apache on shop.alpine-gear.ch?\n\n"
         "On Tue, Mar 4, 2025 at 9:12 AM Support <support@hebergeur.fr> wrote:\n"
         "> We issued the Let's Encrypt certificate for shop.alpine-gear.ch\n> The site was down for a minute",
         {"restart_service": {D: "shop.alpine-gear.ch", "service": "apache"}}, id="en-quoted-history-ignored"),
    case("Ok, c'est noté.\n\nLe 3 mars 2025 à 10:00, Support <support@hebergeur.fr> a écrit :\nNous allons "
         "redémarrer apache ce soir sur boutique-martin.fr, merci de ne pas toucher au site.", {},
         id="fr-unprefixed-gmail-quote-ignored"),
    case("Sounds good.\n\nFrom: Support <support@hebergeur.fr>\nSent: Monday, March 3, 2025 10:00\nTo: Erik\n"
         "Subject: Disk full\n\nYour disk is full on shop.nordic-bikes.se, can you clean the logs?", {},
         id="en-unprefixed-outlook-quote-ignored"),
    case("> le site est inaccessible\n> merci de regarder\n\nc'est réglé de notre côté, merci", {},
         id="fr-gt-quotes-ignored"),
    case("Toujours le même problème, le cadenas est barré.\n\n-----Message d'origine-----\nDe : Support\n"
         "Envoyé : lundi 3 mars 2025 10:00\nObjet : RE: certificat boutique-martin.fr\n"
         "Le site redémarre correctement.",
         {"issue_certificate": {D: "boutique-martin.fr"}}, known=["boutique-martin.fr", "blog-martin.fr"],
         id="fr-outlook-quote-confirms-known-domain"),
    case("Bonjour,\nle disque est plein sur notre serveur.\nCordialement,\nMarc Leroy\nDirecteur technique\n"
         "www.agence-pixel.fr\nTél : 01 23 45 67 89", {"disk_usage": {D: "boutique-client.fr"}},
         known=["boutique-client.fr"], id="fr-signature-domain-is-not-the-site"),
    case("Bonjour, c'est Jean (jean.dupont@gmail.com / j.dupont@agence-web.fr). Merci d'installer un "
         "certificat sur ferme-bio.fr", {"issue_certificate": {D: "ferme-bio.fr"}},
         id="fr-email-domain-is-not-the-site"),
    case("Emails to contact@saveurs-du-sud.fr are fine but the website says not secure",
         {"issue_certificate": {D: "saveurs-du-sud.fr"}}, id="en-only-an-email-domain-is-written"),
]


@pytest.mark.parametrize("text, known, expected", CORPUS)
def test_corpus(text, known, expected):
    got = {p.intent: p.params for p in propose(text, known_domains=known)}
    assert got == expected


def test_corpus_is_large_and_covers_every_intent():
    assert len(CORPUS) >= 60
    covered = {intent for param in CORPUS for intent in param.values[2]}
    assert covered == set(INTENTS)
    assert sum(1 for param in CORPUS if not param.values[2]) >= 8


def test_best_first_with_confidence_and_the_customers_own_words():
    proposals = propose("Le DISQUE est plein, et le serveur est un peu lent")
    assert [p.intent for p in proposals] == ["disk_usage"]
    (p,) = proposals
    assert 0.5 <= p.confidence <= 1 and p.confidence == round(p.confidence, 2)
    assert p.matched == ("DISQUE est plein",)
    first, second = propose("Disque plein sur boutique.fr ! Et le serveur rame un peu.")
    assert (first.intent, second.intent) == ("disk_usage", "add_capacity")
    assert first.confidence > second.confidence


def test_a_guessed_domain_lowers_confidence():
    written = propose("Le disque est plein sur boutique.fr")[0]
    guessed = propose("Le disque est plein", known_domains=["boutique.fr"])[0]
    assert written.params == guessed.params == {"domain": "boutique.fr"}
    assert guessed.confidence < written.confidence


def test_a_known_domain_in_the_customers_address_beats_guessing():
    (p,) = propose("Le site affiche non sécurisé. Répondez-moi à contact@saveurs-du-sud.fr",
                   known_domains=["autre-site.fr", "saveurs-du-sud.fr"])
    assert p.params == {"domain": "saveurs-du-sud.fr"}


def test_the_domain_is_the_one_of_the_sentence_that_asks_not_the_one_that_thanks():
    (p,) = propose("Le https marche bien sur boutique-lune.fr, merci ! Par contre boutique-lune.com affiche "
                   "toujours « non sécurisé », pouvez-vous en installer un ?")
    assert (p.intent, p.params) == ("issue_certificate", {"domain": "boutique-lune.com"})


def test_of_two_known_domains_named_the_one_nearest_the_trouble_is_chosen():
    (p,) = propose("le site de la fromagerie affiche une erreur 500, celui de la crèmerie va bien",
                   known_domains=["fromagerie-dubois.fr", "cremerie-dubois.fr"])
    assert (p.intent, p.params) == ("site_down", {"domain": "fromagerie-dubois.fr"})


@pytest.mark.parametrize("text, new, known", [
    ("Bonjour, j'ai acheté le domaine cabinet-benoit-kine.fr et je voudrais mettre en ligne le nouveau site. "
     "Ça ne remplace pas l'ancien site benoit-kine.fr, les deux doivent coexister.",
     "cabinet-benoit-kine.fr", ["benoit-kine.fr"]),
    ("Hi, we registered greenlane-kids.co.uk for our new clinic. Could you set it up as a new site on our "
     "hosting, next to greenlane-dental.co.uk?", "greenlane-kids.co.uk", ["greenlane-dental.co.uk"]),
])
def test_a_new_site_is_hosted_on_the_domain_just_bought_not_the_known_one_beside_it(text, new, known):
    (p,) = [p for p in propose(text, known_domains=known) if p.intent == "add_vhost"]
    assert p.params == {"domain": new}


def test_a_known_domain_is_still_the_one_for_an_outage_beside_a_third_party_s():
    (p,) = propose("Notre site boutique-lune.fr affiche une erreur 500 depuis que paiement-rapide.com a changé.",
                   known_domains=["boutique-lune.fr"])
    assert (p.intent, p.params) == ("site_down", {"domain": "boutique-lune.fr"})


def test_known_domains_given_as_one_string_is_a_clear_error():
    with pytest.raises(TypeError, match="known_domains"):
        propose("disque plein", known_domains="boutique.fr")


def test_two_domains_each_intent_takes_its_own():
    proposals = propose("boutique.fr : il faut un certificat SSL svp.\nblog.fr : le site est down.")
    assert {p.intent: p.params["domain"] for p in proposals} == {
        "issue_certificate": "boutique.fr", "site_down": "blog.fr"}


def test_several_services_give_one_restart_each():
    proposals = propose("Pouvez-vous redémarrer nginx et php-fpm sur boutique.fr ?")
    assert [(p.intent, p.params.get("service")) for p in proposals] == [
        ("restart_service", "nginx"), ("restart_service", "php-fpm")]


def test_merci_de_asks_and_thanks_for_a_past_action_does_not():
    asked = propose("Merci de redémarrer apache.")[0]
    assert asked.confidence == propose("Pouvez-vous redémarrer apache.")[0].confidence
    thanked = propose("Merci pour le redémarrage d'apache.")
    assert thanked == [] or thanked[0].confidence < asked.confidence


def test_the_certificate_a_renewal_acts_on_may_be_named_in_what_they_quote():
    quote = ("Oui, renouvelez-le s'il vous plaît.\n\nLe lun. 14 déc. 2026 à 10:00, Support a écrit :\n"
             "> {} boutique.fr expire dans 5 jours, souhaitez-vous le renouveler ?")
    assert [p.intent for p in propose(quote.format("Le certificat de"))] == ["renew_certificate"]
    assert propose(quote.format("Votre nom de domaine")) == []  # a registration: no certificate named anywhere


OUR_OFFER = ("\n\nOn Fri 18 Dec 2026 19:12, Support wrote:\n> Hi Finn,\n> The new redirect rules for surfschool.ie"
             " take effect after a restart of nginx. Shall we do it now?\n> Regards")


@pytest.mark.parametrize("yes", ["Yes, go ahead now, nobody is booking at this hour.", "Ok pour moi, allez-y !",
                                 "Great, please proceed.",
                                 # ...or told that whoever decides on their side said yes.
                                 "Our manager has approved it, thanks.", "Le gérant a validé ce matin, merci.",
                                 "Ok pour nous, vous pouvez faire ça ce soir.", "Fine, you can do it."])
def test_a_yes_to_what_we_offered_in_the_quote_proposes_it(yes):
    proposals = propose(yes + OUR_OFFER, known_domains=["surfschool.ie"])
    assert [(p.intent, p.params, p.quoted) for p in proposals] == [
        ("restart_service", {"service": "nginx", "domain": "surfschool.ie"}, True)]  # and says where it read it
    assert proposals[0].to_json()["quoted"] is True


@pytest.mark.parametrize("no", ["Ok, noted.", "Please don't go ahead, we will do it ourselves.",
                                "OK pour nous, tout pointe bien. Thanks!",
                                "Merci, tout fonctionne, vous pouvez fermer le ticket."])
def test_without_a_yes_what_we_offered_in_the_quote_proposes_nothing(no):
    assert propose(no + OUR_OFFER, known_domains=["surfschool.ie"]) == []


def test_a_request_that_points_to_the_quote_is_read_with_it():
    back = ("Bonjour,\nComme convenu avant les congés (voir plus bas), pouvez-vous le faire maintenant ? Nous sommes "
            "de retour.\nFrançoise\n\n> Le 18/12/2026 à 15:02, Support a écrit :\n> Bonjour, nous pourrons cloner "
            "votre site de production vers test.gites.be à votre retour de congés.\n> Cordialement")
    assert [(p.intent, p.params) for p in propose(back, known_domains=["gites.be"])] == [
        ("clone_environment", {"source": "production", "domain": "test.gites.be"})]


@pytest.mark.parametrize("thanks", ["Merci pour votre réponse ci-dessous, c'est très clair, je vais le faire moi-même.",
                                    "Thanks for the explanation below, all sorted now."])
def test_thanks_for_what_is_quoted_below_proposes_nothing(thanks):
    offer = ("\n\nLe 30 déc. 2026 à 10:05, Support a écrit :\n> Bonjour,\n> Vous pouvez restaurer vous-même le "
             "dossier depuis l'espace client, rubrique Sauvegardes. Souhaitez-vous que nous le fassions pour vous ?")
    assert propose(thanks + offer, known_domains=["mairie.fr"]) == []


def test_a_request_quoted_above_their_answer_is_read_when_they_point_to_it():
    above = ("> Helen, tell the hosting people we need PHP 8.2 minimum or I can't update the plugins. - Gary\n\n"
             "Hello, this is from our web chap (above). Is that something you can change for us?\nHelen")
    assert [(p.intent, p.params) for p in propose(above, known_domains=["choir.co.uk"])] == [
        ("php_version", {"version": "8.2", "domain": "choir.co.uk"})]
    done = ("> Your site returned errors between 02:00 and 02:20 while we restarted the database server.\n\n"
            "Thanks, the errors above are gone now, all good.\nHelen")
    assert propose(done, known_domains=["choir.co.uk"]) == []


def test_a_forwarded_request_they_ask_us_to_carry_out_is_proposed():
    forwarded = ("Bonjour,\nJe vous transfère le message de notre graphiste. Pouvez-vous faire ce qu'elle demande ?"
                 "\nBernard\n\n---------- Message transféré ---------\nDe : Julie <julie@graphisme.fr>\n"
                 "Date : ven. 18 déc. 2026\nObjet : site\n\nBonjour Bernard,\nLe site gite-hirondelles.fr est en "
                 "http seulement. Il faut que l'hébergeur installe un certificat SSL.\nJulie")
    [p] = propose(forwarded, known_domains=["gite-hirondelles.fr"])
    assert (p.intent, p.params) == ("issue_certificate", {"domain": "gite-hirondelles.fr"})
    assert "certificat" in p.matched  # the words read are the forwarded mail's


UPTIME_ALERT = ("\n\n> From: UptimeRobot <alert@uptimerobot.com>\n> Subject: Monitor is DOWN: harvestfest.co.uk\n"
                "> URL: https://harvestfest.co.uk/\n> Reason: 502 Bad Gateway\n> Down since: 09:12 UTC")
DISK_ALERT = ("\n\n-------- Message transféré --------\nDe : monitoring@agence-web.fr\nObjet : [CRITIQUE] "
              "brunet-transports.fr\n\nPartition /var utilisée à 97 % (48,5 Go / 50 Go), +2 Go par jour.")


@pytest.mark.parametrize("after, intent", [("Vous pouvez faire le nécessaire pour que ça ne coupe pas ?", "disk_usage"),
                                           ("C'est réglé, on a vidé la corbeille entre-temps, merci.", None)])
@pytest.mark.parametrize("rule", ["----------", "---"])  # a mail client's rule, or three dashes typed by hand
def test_what_they_write_below_a_forwarded_block_closed_by_a_rule_is_theirs(after, intent, rule):
    forward = ("Bonjour, j'ai reçu ça, je ne comprends pas trop :\n\n---------- Message transféré ---------\n"
               "De : monitoring@agence-web.fr\nObjet : [CRITIQUE] brunet-transports.fr\n\nPartition /var utilisée "
               "à 97 % (48,5 Go / 50 Go).\n" + rule + "\n\n" + after + "\nValérie")
    proposals = propose(forward, known_domains=["brunet-transports.fr"])
    assert [p.intent for p in proposals][:1] == ([intent] if intent else [])


@pytest.mark.parametrize("ask, alert, intent, domain", [
    ("can you deal with this? I'm at the airport and can't open a laptop\nBecca", UPTIME_ALERT, "site_down",
     "harvestfest.co.uk"),
    ("Could you look at this email please?", UPTIME_ALERT, "site_down", "harvestfest.co.uk"),
    ("Bonjour, pouvez-vous vous en occuper ? Je pars en congés demain.\nValérie", DISK_ALERT, "disk_usage",
     "brunet-transports.fr"),
    ("Pouvez-vous regarder ce mail svp ?", DISK_ALERT, "disk_usage", "brunet-transports.fr"),
])
def test_a_short_request_above_a_forwarded_alert_is_read_with_the_alert(ask, alert, intent, domain):
    proposals = propose(ask + alert, known_domains=[domain])
    assert [(p.intent, p.params.get("domain"), p.quoted) for p in proposals][:1] == [(intent, domain, True)]


@pytest.mark.parametrize("words", [
    "C'est quoi ce mail ?",  # asks what it means, not for what it announces
    "Thanks for this email, we will be ready.",
    "Ce message est bien reçu, merci.",
])
def test_pointing_to_our_notice_without_asking_proposes_nothing(words):
    notice = ("\n\n> Bonjour,\n> Nous redémarrerons votre serveur cette nuit à 22h pour appliquer les mises à "
              "jour de sécurité.\n> L'équipe technique")
    assert propose(words + notice, known_domains=["gite.fr"]) == []


def test_a_host_of_theirs_named_only_in_the_quote_is_the_one_acted_on():
    notice = ("Got this email, please renew it if needed.\nPeter\n\n> Hello,\n> Your certificate for "
              "intranet.parishhall.org.uk will expire in 5 days.")
    [p] = propose(notice, known_domains=["parishhall.org.uk"])
    assert (p.intent, p.params["domain"]) == ("renew_certificate", "intranet.parishhall.org.uk")
    # A signature's www address is their site: the name they are known by.
    signed = ("Bonjour,\nLe site affiche une erreur 500 depuis ce matin, pouvez-vous regarder ?\n--\nGilles\n"
              "www.zinguerie-masson.fr - 02 43 21 66 08")
    [p] = propose(signed, known_domains=["zinguerie-masson.fr", "masson-toitures.com"])
    assert (p.intent, p.params["domain"]) == ("site_down", "zinguerie-masson.fr")


@pytest.mark.parametrize("text", [
    "Please add SRV record for Teams:\n_sip._tls.hollybrookclinic.ie  SRV  100 1 443 sipdir.online.lync.com\nBrian",
    "Mailchimp says our domain isn't authenticated: please add a CNAME k2._domainkey pointing to dkim2.mcsv.net.",
])
def test_a_dns_record_s_target_is_not_the_zone_to_change(text):
    [p] = propose(text, known_domains=["hollybrookclinic.ie"])
    assert (p.intent, p.params["domain"]) == ("dns_change", "hollybrookclinic.ie")


def test_je_vous_relance_is_a_reminder_not_a_restart():
    assert propose("Je vous relance concernant ma demande d'hier sur mysql") == []


def test_a_clone_whose_copy_is_named_says_both():
    p = propose("Duplique-moi la prod de kinesport.fr sur dev.kinesport.fr stp, les fichiers et la base.")[0]
    assert describe(p) == "clone kinesport.fr into dev.kinesport.fr"
    assert describe(p, "fr") == "cloner kinesport.fr vers dev.kinesport.fr"


def test_to_json_and_describe():
    p = propose("Pouvez-vous charger un SSL sur boutique.fr ?")[0]
    assert p.to_json() == {"intent": "issue_certificate", "params": {"domain": "boutique.fr"},
                           "confidence": p.confidence, "matched": ["charger un SSL"]}
    assert describe(p) == "issue a certificate for boutique.fr"
    assert describe(p, "fr") == "émettre un certificat pour boutique.fr"
    assert describe(p, "de") == describe(p, "en")
    clone = Proposal("clone_environment", {"source": "production", "target": "staging", "domain": "a.fr"}, 0.9, ())
    assert describe(clone) == "clone production to staging for a.fr"
    assert describe(clone, "fr-FR") == "cloner la production vers la préproduction pour a.fr"
    assert describe(Proposal("restart_service", {}, 0.6, ())) == "restart a service"


@pytest.mark.parametrize("text, expected", [
    pytest.param("Voir https://Café-Martin.FR/panier et www.boutique.fr.", ["café-martin.fr", "www.boutique.fr"],
                 id="idn-url-and-trailing-dot"),
    pytest.param("xn--caf-martin-d7a.fr = café-martin.fr", ["café-martin.fr"], id="punycode-is-decoded"),
    pytest.param("jean@boutique.fr, index.php, backup.sql, app.js, README.md", [], id="emails-and-files-are-not"),
    pytest.param("voir letsencrypt.org et mail.gmail.com pour blog.fr", ["blog.fr"], id="ignored-domains"),
    pytest.param("BOUTIQUE.FR et boutique.fr", ["boutique.fr"], id="lower-cased-deduplicated"),
    pytest.param("https://shop.fr/redirect/other.com", ["shop.fr"], id="url-path-is-not-a-domain"),
    pytest.param("CNAME k2._domainkey.atelier-sabots.fr → dkim2.mcsv.net, TXT _dmarc.vantage.eu, "
                 "_acme-challenge.www.blog.fr", ["atelier-sabots.fr", "dkim2.mcsv.net", "vantage.eu", "www.blog.fr"],
                 id="a-dns-record-s-owner-name-gives-its-zone"),
    pytest.param("my_site.fr, foo_bar.baz@x.fr", [], id="underscores-elsewhere-are-no-host"),
])
def test_extract_domains(text, expected):
    assert extract_domains(text) == expected


def test_rules_are_data(tmp_path):
    text = "Pouvez-vous mettre le petit vert sur boutique.fr ?"
    assert propose(text) == []
    path = tmp_path / "site.toml"
    path.write_text('[intents.issue_certificate]\nparams = ["domain"]\n'
                    '[intents.issue_certificate.phrases]\n"petit vert" = 0.8\n', encoding="utf-8")
    rules = load_rules(path)
    (p,) = propose(text, rules=rules)
    assert (p.intent, p.params, p.matched) == ("issue_certificate", {"domain": "boutique.fr"}, ("petit vert",))
    # the site's intent replaced the packaged one; the other intents are still there
    assert propose("charger un SSL sur boutique.fr", rules=rules) == []
    assert propose("le site boutique.fr est down", rules=rules)[0].intent == "site_down"


@pytest.mark.parametrize("content, key", [
    pytest.param('[intents.issue_certificate.phrases]\n"ssl" = "high"\n', 'intents.issue_certificate.phrases.ssl',
                 id="weight-not-a-number"),
    pytest.param('[intents.issue_certificate.phrases]\n"ssl" = 1.5\n', 'intents.issue_certificate.phrases.ssl',
                 id="weight-out-of-range"),
    pytest.param('[intents.make_coffee.phrases]\n"cafe" = 0.9\n', 'intents.make_coffee', id="unknown-intent"),
    pytest.param('[intents.add_vhost]\nparams = ["owner"]\n[intents.add_vhost.phrases]\n"vhost" = 0.9\n',
                 'intents.add_vhost.params', id="unknown-param"),
    pytest.param('threshhold = 0.4\n', 'threshhold', id="unknown-top-level-key"),
    pytest.param('[negative]\n"merci" = true\n', 'negative.merci', id="boolean-weight"),
    pytest.param('[intents.site_down.phrases]\n"!!!" = 0.9\n', 'intents.site_down.phrases."!!!"',
                 id="phrase-without-words"),
    pytest.param('[intents.add_vhost]\ndomain_new = "yes"\n[intents.add_vhost.phrases]\n"vhost" = 0.9\n',
                 'intents.add_vhost.domain_new', id="flag-not-a-boolean"),
    pytest.param('[intents.add_vhost]\nrequires = "site"\n[intents.add_vhost.phrases]\n"vhost" = 0.9\n',
                 'intents.add_vhost.requires', id="requires-not-a-list"),
    pytest.param('[intents.dns_change]\ndomain_own = 1\n[intents.dns_change.phrases]\n"dns" = 0.9\n',
                 'intents.dns_change.domain_own', id="domain-own-not-a-boolean"),
    pytest.param('[message]\ngo_ahead = "allez-y"\n', 'message.go_ahead', id="go-ahead-not-a-list"),
    pytest.param('[message]\ngo_ahead = ["!!"]\n', 'message.go_ahead', id="go-ahead-without-words"),
    pytest.param('[message]\nrefers = "ceci"\n', 'message.refers', id="refers-not-a-list"),
])
def test_bad_rules_file_names_file_and_key(tmp_path, content, key):
    path = tmp_path / "bad.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError) as err:
        load_rules(path)
    assert str(err.value).startswith(f"{path}: {key}: ")


def test_unreadable_or_invalid_toml_names_the_file(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("[intents\n", encoding="utf-8")
    with pytest.raises(RulesError, match=f"^{path}: not valid TOML"):
        load_rules(path)
    with pytest.raises(RulesError, match="missing.toml: cannot read"):
        load_rules(tmp_path / "missing.toml")


@pytest.mark.parametrize("paragraph", [
    pytest.param("Bonjour, depuis la mise à jour d'hier notre boutique en ligne boutique-martin.fr est très "
                 "lente et le cadenas a disparu, les clients nous écrivent à contact@boutique-martin.fr. ", id="fr"),
    pytest.param("Hello team, since yesterday's deploy www.nordic-bikes.se shows Not Secure and sometimes a 502 "
                 "Bad Gateway. Could you restart nginx and check the certificate? Thanks, Erik\n", id="en"),
])
def test_a_long_message_with_a_quoted_reply_is_decoded(paragraph):
    # Its speed is measured by the benchmark (python -m oncall_tui.bench), not here.
    text = (paragraph * 20)[:1800] + "\n\nLe lun. 3 mars, Support a écrit :\n> " + "bla " * 50
    assert len(text.encode()) >= 2000
    assert {p.intent for p in propose(text)} & {"issue_certificate", "restart_service"}


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300), st.lists(st.sampled_from(["boutique.fr", "café.fr", "x"]), max_size=3))
def test_any_text_gives_well_formed_proposals(text, known):
    for p in propose(text, known_domains=known):
        assert p.intent in INTENTS and 0 <= p.confidence <= 1
        assert all(word in " ".join(text.split()) for word in p.matched)
        assert set(p.params) <= {"domain", "service", "source", "target", "record", "version"}
