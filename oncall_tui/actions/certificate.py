"""Built-in action: issue a TLS certificate (ACME HTTP-01) and install it on the customer's server.

The headline action: a customer bounced to the documentation for hours about
a Let's Encrypt certificate. Preflight names the usual culprits first (no A
record, a stale AAAA, CAA, rate limits); then one order, the token placed in
the site's webroot through the same transport as runbooks, the key and chain
installed, the web server reloaded.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from pathlib import Path
from typing import Callable

from .acme import AcmeClient, AcmeError
from .base import ActionContext, ActionError, Outcome
from .http01 import WebrootSolver
from .preflight import Check, ServerInfo, make_resolver, preflight_certificate
from .runbook_params import Param, RunbookError, check_value

PARAMS = (
    Param("domain", "domain", True, None, "the site to secure, e.g. boutique-martin.fr"),
    Param("server", "server", True, None, "the customer's server that serves the site"),
    Param("webroot", "path", False, None, "the site's document root (HTTP-01 token goes under it)"),
)

# The reply says only what the run did: the padlock shows once the web server is reloaded, and
# the date is the one read from the certificate issued.
REPLY = {
    "fr": ("Bonjour,\n\nC'est fait : le certificat HTTPS (Let's Encrypt) de {domain} est installé sur "
           "votre serveur. {live} Le certificat est valable jusqu'au {until}.\n\n"
           "Vous n'avez rien à faire de votre côté.\n\nBien cordialement,\n{engineer}\n"),
    "en": ("Hello,\n\nDone: the HTTPS certificate (Let's Encrypt) for {domain} is now installed on your "
           "server. {live} The certificate is valid until {until}.\n\nThere is nothing you need to do."
           "\n\nKind regards,\n{engineer}\n"),
}
LIVE = {
    "fr": ("Le serveur web a été rechargé : le cadenas s'affiche maintenant dans le navigateur.",
           "Il sera pris en compte au prochain rechargement du serveur web, que nous faisons de notre côté."),
    "en": ("The web server was reloaded: browsers now show the padlock.",
           "It takes effect at the web server's next reload, which we are doing on our side."),
}


class CertificateAction:
    id = "issue_certificate"
    title = "Issue a TLS certificate (Let's Encrypt)"
    intent = "issue_certificate"
    key = "T"
    confirm = True
    dangerous = False
    params = PARAMS

    def defaults(self, ctx: ActionContext, suggestion: dict[str, str]) -> dict[str, str]:
        values = {k: v for k, v in suggestion.items() if k in {p.name for p in PARAMS}}
        if "domain" not in values and len(ctx.domains) == 1:
            values["domain"] = next(iter(ctx.domains))
        domain = ctx.domains.get(values.get("domain", ""), {})
        if "server" not in values:
            if domain.get("server") in ctx.servers:
                values["server"] = domain["server"]
            elif len(ctx.servers) == 1:
                values["server"] = next(iter(ctx.servers))
        if "webroot" not in values:
            server = ctx.servers.get(values.get("server", ""), {})
            webroot = domain.get("webroot") or server.get("webroot")
            if webroot:
                values["webroot"] = webroot
        return values

    def validate(self, raw: dict[str, str], ctx: ActionContext) -> dict[str, str]:
        unknown = set(raw) - {p.name for p in PARAMS}
        if unknown:
            name = sorted(unknown)[0]
            raise ActionError(f"parameter {name!r}: not a parameter of {self.id}", param=name)
        values: dict[str, str] = {}
        for p in PARAMS:
            given = (raw.get(p.name) or "").strip()
            if not given:
                if p.name == "webroot":
                    given = f"/var/www/{values.get('domain', 'site')}"
                else:
                    raise ActionError(f"parameter {p.name!r}: required ({p.help})", param=p.name)
            try:
                values[p.name] = check_value(p, given, servers=sorted(ctx.servers))
            except RunbookError as exc:
                raise ActionError(str(exc), param=p.name) from None
        return values

    async def preflight(self, params: dict[str, str], ctx: ActionContext) -> list[Check]:
        asset = ctx.servers[params["server"]]
        split = lambda text: tuple(a.strip() for a in (text or "").split(",") if a.strip())
        server = ServerInfo(params["server"], split(asset.get("ipv4")), split(asset.get("ipv6")))
        s = ctx.settings
        resolver = make_resolver(s.get("dns_nameserver") or None, s.get("dns_port", 53), s.get("dns_timeout", 3.0))
        week_ago = ctx.now() - timedelta(days=7)
        recent = [r for r in ctx.recent_runs(self.id, {"domain": params["domain"]})
                  if r["outcome"] == "ok" and r["at"] >= week_ago]
        return await preflight_certificate(
            params["domain"], server, resolver=resolver, now=ctx.now(), recent_issuances=len(recent),
            ca_identities=tuple(s.get("ca_identities", ("letsencrypt.org",))),
            check_tls=s.get("check_tls", True), tls_port=s.get("tls_port", 443))

    def _paths(self, params: dict[str, str], ctx: ActionContext) -> tuple[str, str]:
        cert_dir = ctx.settings.get("cert_dir", "/etc/ssl/oncall/{domain}").format(domain=params["domain"])
        return f"{cert_dir}/fullchain.pem", f"{cert_dir}/privkey.pem"

    def plan(self, params: dict[str, str], ctx: ActionContext) -> list[str]:
        transport = ctx.transport_for(params["server"])
        chain, key = self._paths(params, ctx)
        reload = ctx.settings.get("reload") or []
        lines = [
            f"{self.title} for {params['domain']} — on {transport.description}",
            f"1. ask {ctx.settings.get('acme_directory', 'the ACME CA')} for a certificate (account key kept in the data dir)",
            f"2. place the HTTP-01 token in {params['webroot']}/.well-known/acme-challenge/ and remove it afterwards",
            f"3. install the chain at {chain} and the key at {key} (mode 0600)",
        ]
        lines.append(f"4. reload the web server: $ {' '.join(reload)}" if reload else "4. no reload command configured")
        return lines

    async def run(self, params: dict[str, str], ctx: ActionContext, *,
                  on_output: Callable[[str], None], cancel: asyncio.Event) -> Outcome:
        started = time.monotonic()
        log: list[str] = []

        def out(line: str) -> None:
            log.append(line)
            on_output(line)

        transport = ctx.transport_for(params["server"])
        s = ctx.settings
        client = AcmeClient(s.get("acme_directory"), Path(s["account_key"]), verify=s.get("ca_bundle") or True,
                            contact=s.get("acme_contact") or None)
        solver = WebrootSolver(transport, params["webroot"])
        try:
            issue = asyncio.ensure_future(client.issue([params["domain"]], solver, on_progress=out))
            stop = asyncio.ensure_future(cancel.wait())
            done, _ = await asyncio.wait({issue, stop}, return_when=asyncio.FIRST_COMPLETED)
            if issue not in done:
                issue.cancel()
                try:
                    await issue
                except (asyncio.CancelledError, AcmeError):
                    pass
                out("cancelled; the challenge token was removed")
                return Outcome("cancelled", f"certificate for {params['domain']}: cancelled", "\n".join(log),
                               time.monotonic() - started)
            stop.cancel()
            cert = issue.result()
            chain, key = self._paths(params, ctx)
            await transport.write_file(chain, cert.chain_pem, mode=0o644)
            await transport.write_file(key, cert.key_pem, mode=0o600)
            out(f"installed {chain} and {key}")
            details = {"not_after": cert.not_after.isoformat(), "chain": chain, "key": key, "reloaded": False}
            reload = s.get("reload") or []
            if reload:
                result = await transport.run(list(reload), timeout=60, on_output=out)
                if not result.ok:
                    tail = " / ".join(result.output.strip().splitlines()[-3:])
                    return Outcome("failed", f"certificate for {params['domain']} installed but the reload failed "
                                   f"(exit {result.returncode}{': ' + tail if tail else ''})", "\n".join(log),
                                   time.monotonic() - started, details)
                details["reloaded"] = True
            until = cert.not_after.strftime("%Y-%m-%d")
            live = "the web server reloaded" if details["reloaded"] else "not reloaded (no reload command configured)"
            return Outcome("ok", f"certificate for {params['domain']} issued and installed, valid until {until}; "
                           f"{live}", "\n".join(log), time.monotonic() - started, details)
        except (AcmeError, OSError) as exc:
            out(f"failed: {exc}")
            return Outcome("failed", f"certificate for {params['domain']}: {exc}", "\n".join(log),
                           time.monotonic() - started)
        finally:
            await client.aclose()

    def reply(self, params: dict[str, str], outcome: Outcome, language: str) -> str:
        if not outcome.ok:
            return ""
        until = outcome.details.get("not_after", "")[:10]
        if language == "fr" and until:
            y, m, d = until.split("-")
            until = f"{d}/{m}/{y}"
        lang = language if language in REPLY else "en"
        live = LIVE[lang][0 if outcome.details.get("reloaded") else 1]
        return REPLY[lang].format(domain=_unicode(params["domain"]), until=until, live=live, engineer="{engineer}")


def _unicode(domain: str) -> str:
    try:
        import idna

        return idna.decode(domain) if "xn--" in domain else domain
    except Exception:
        return domain
