"""What a person wrote themselves in a message: quoted replies, signatures and pasted logs set aside.

    r = read(body, author="Jean-Pierre Martin")
    r.text                     # their own words, for the lexicon, the tone and repetition
    r.quoted, r.signature, r.log   # lines set aside, for the explanation
    r.pasted                   # the pasted log's lines: its symptom, never its tone

Set aside, in this order:

- **quoted replies**: '>' lines, and everything from a reply header on
  ("On … wrote:", "Le … a écrit :", Outlook's "-----Original Message-----" or a
  "From:/De :" line followed by "Sent:/Envoyé :/Date:/To:/À :");
- **signatures**: from a "-- " line, a confidentiality notice, a sign-off line
  ("Cordialement,", "Best regards", "cdlt") or a line starting with the
  author's first name, when a short tail follows and something was said before;
- **pasted logs, code and traces**, told by their shape, not their words: runs
  of lines that look machine-made (timestamps, log levels, "PHP Fatal error",
  stack frames, "proc[pid]:", SMTP codes, paths, "Key: value", code braces,
  CAPITALS with technical tokens...) when the run holds a certain sign, follows
  an introduction ending with ':', or repeats one structure. A single line in
  capitals is a person shouting; three lines of an export script in capitals
  are not.

Only the first `MAX_CHARS` characters are read (their own words come first);
every step is one pass over the lines, linear in the text's size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import MAX_CHARS, fast_fold


@dataclass(frozen=True, slots=True)
class Reading:
    """A message's own words, and how many lines of each kind were set aside."""

    text: str
    quoted: int = 0
    signature: int = 0
    log: int = 0
    #: The pasted lines that are not time-stamped log entries (at most `PASTED_CHARS`): what an error
    #: page or a command answered ("503 Service Unavailable", "535 authentication failed") says what
    #: is broken now. Never read for the customer's words or tone; a log's history is not read at all
    #: (a node "IS DOWN" in a failover log the customer says nobody noticed).
    pasted: str = ""
    #: The pasted log's last time-stamped entry: where it stands now ("Backup FAILED" after "No space left on
    #: device"), read for what is at risk by the lexicon's words only: never for what is down (a failover log
    #: says "IS DOWN" every minute of a node nobody notices), never as an error page.
    latest: str = ""
    #: The quoted or forwarded text, without its quote marks (at most `PASTED_CHARS`): never their words or
    #: tone, but a notice they forward says when something expires ("Expiration du certificat actuel :
    #: 20/11/2027 02:00 UTC").
    quoted_text: str = ""
    #: Of that, a mail they forward ("---- Message transféré ----", "Begin forwarded message:"), not a reply they
    #: quote: what someone else sent them (an alert, a bounce, their client's complaint), never one of ours.
    forwarded: str = ""


#: How much of a pasted log, or of the text quoted, is kept to read the facts from (its first lines say them).
PASTED_CHARS = 2000


# --- quoted replies ----------------------------------------------------------------

# A reply header: "On … wrote:" / "Le … a écrit :" (possibly wrapped onto a second line).
_REPLY_HEADER = re.compile(
    r"[ \t]*(?:On\b[^\n]{0,200}(?:\n[^\n]{0,120})?\bwrote:|Le\b[^\n]{0,200}(?:\n[^\n]{0,120})?\ba [ée]crit ?:)",
    re.IGNORECASE)
_ORIGINAL = re.compile(r"[ \t]*(?:-{2,}\s*(?:Original Message|Message d'origine|Message original|Forwarded message|"
                       r"Message transféré)\s*-{2,}|Begin forwarded message:|Début du message réexpédié)",
                       re.IGNORECASE)
_FROM = re.compile(r"[ \t]*(?:\*\s*)?(?:From|De)\s?:\s?\S", re.IGNORECASE)
_FROM_NEXT = re.compile(r"[ \t]*(?:\*\s*)?(?:Sent|Envoy[ée]|Date|To|[ÀA]|Subject|Objet)\s?:", re.IGNORECASE)


def _quote_start(body: str) -> int:
    """Where a quoted reply starts in *body* (a line start), or -1."""
    # Every header holds a colon or a dashed line: look only at the lines around those.
    start = 0
    for line in body.split("\n"):
        if ":" in line or "--" in line:
            if _REPLY_HEADER.match(body, start) or _ORIGINAL.match(line):
                return start
            if _FROM.match(line):
                following = body[start + len(line) + 1:].split("\n", 4)[:4]
                if any(_FROM_NEXT.match(nxt) for nxt in following):
                    return start
        start += len(line) + 1
    return -1


_FORWARDED = re.compile(r"[ \t]*(?:-{2,}\s*(?:Forwarded message|Message transféré)\s*-{2,}|Begin forwarded message:|"
                        r"Début du message réexpédié)", re.IGNORECASE)
_FORWARD_START = re.compile(r"[ \t]*-{2,}\s*(?:Forwarded message|Message transféré)\s*-{2,}", re.IGNORECASE)
_RULE = re.compile(r"[ \t]*-{3,}[ \t]*$")


def _forward_end(body: str, cut: int) -> int:
    """Where the text below a forwarded block starting at *cut* resumes (past its closing rule of dashes), or
    len(body) when the quote at *cut* is not such a block."""
    first = body.find("\n", cut)
    if first == -1 or not _FORWARD_START.match(body, cut, first):
        return len(body)
    start = first + 1
    for line in body[start:].split("\n"):
        if _RULE.match(line):
            return start + len(line) + 1
        start += len(line) + 1
    return len(body)


# --- signatures ----------------------------------------------------------------------

_DELIMITER = re.compile(r"\s*(?:--|—|__+|-{3,})\s*")
_NOTICE = re.compile(r"\s*(?:CONFIDENTIAL|DISCLAIMER|This (?:e-?mail|message) (?:and|is|may|contains)|"
                     r"Ce (?:message|courriel|mail)(?: et| est| peut| contient)|AVIS DE CONFIDENTIALIT|"
                     r"Le présent (?:message|courriel)|Please consider the environment|"
                     r"Pensez à l'environnement|Sent from my|Sent with|Get Outlook for|Envoyé de mon|Envoyé depuis|"
                     r"Téléchargez Outlook)", re.IGNORECASE)
#: Sign-off lines (folded, without trailing punctuation); a name may follow on the same line.
SIGN_OFFS = frozenset(s.strip() for s in """
    cordialement|bien cordialement|tres cordialement|bien a vous|bien a toi|sinceres salutations|salutations|
    meilleures salutations|bonne journee|bonne soiree|bonne fin de journee|belle journee|merci|merci beaucoup|
    merci d'avance|merci par avance|merci bien|cdlt|cdt|bav|a bientot|amicalement|bisous|a plus|
    regards|best regards|kind regards|warm regards|best wishes|best|cheers|thanks|thank you|many thanks|
    thanks a lot|thanks again|thanks in advance|thx|ta|all the best|sincerely|yours sincerely|yours|br|
    merci et bonne journee|merci et bonne soiree|merci d'avance et bonne journee|salutations distinguees|
    respectueusement|bien a vous|bonne continuation|thanks and regards|thanks  regards|have a nice day|
    have a good day|take care|warmly|warm wishes|cordially
    """.replace("\n", "").split("|"))
_SIGN_OFF_TAIL = re.compile(r"[\s,.!;:-]*(?:[A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*){0,2})?[\s,.!]*")
_SIGN_OFF_HEAD = re.compile(r"\s*([A-Za-z' ]+?)\s*(?=[,.!;:-]|\s[A-Z]|$)", re.ASCII)
SIGNATURE_MAX_LINES = 10  # a sign-off or a name followed by more than this is not a signature
# "P.S. : la base est en lecture seule", "PS -", "P.-S." below the signature: the writer speaks again, often to
# say the one thing that matters. Not PowerShell's prompt nor `ps aux` ("PS C:\\>").
_POSTSCRIPT = re.compile(r"\s*(?:(?i:P\.\s?-?\s?S\b\.?)|PS\b(?!\s+[A-Z]:))\s*[:.,–-]?\s*\S")


def _sign_off(line: str) -> bool:
    """'Cordialement,' / 'Best regards, Kenji' / 'cdlt' — a whole line that only signs off."""
    folded = fast_fold(line).replace("\0", " ")
    stripped = folded.strip(" ,.!;:-\t")
    if stripped in SIGN_OFFS:
        return True
    # A sign-off followed by a capitalised name: "Thanks, Rosa", "Merci Alice".
    m = _SIGN_OFF_HEAD.match(folded)
    if m is None or m.group(1).strip() not in SIGN_OFFS:
        return False
    return _SIGN_OFF_TAIL.fullmatch(line, len(line) - len(line.lstrip()) + m.end()) is not None


def _first_name(author: str) -> str:
    if not author or "@" in author:
        return ""
    first = author.split()[0]
    folded = fast_fold(first).strip(" ,.\0")
    return folded if len(folded) >= 2 else ""


def _signature_start(lines: list[str], author: str) -> int:
    """Index of the line a signature starts at, or len(lines)."""
    name = _first_name(author)
    said = False  # something was written before: a signature never starts the message
    n = len(lines)
    tail = sum(1 for line in lines if line.strip())  # non-blank lines after the one read (counted down)
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        tail -= 1
        if said:
            if _DELIMITER.fullmatch(line) or _NOTICE.match(line):
                return i
            if tail <= SIGNATURE_MAX_LINES and len(stripped) <= 80:
                if _sign_off(stripped):
                    return i
                if name and fast_fold(stripped.split()[0]).strip(" ,.\0") == name and len(stripped.split()) <= 12:
                    return i
        said = True
    return n


# --- pasted logs, code, traces -----------------------------------------------------------

# A log entry's time stamp, at the start of a line.
_STAMP = r"""
        [\[(]?\d{4}-\d{2}-\d{2}[ T]{1,2}\d{1,2}:\d{2}          # 2026-11-24 04:12:09, ISO
      | [\[(]?\d{1,2}:\d{2}:\d{2}\b                          # 06:41:17
      | [\[(]?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s+\d{1,2}\s+\d{1,2}:\d{2}  # syslog
      | [\[(]?\d{2}[/.-]\d{2}[/.-]\d{2,4}[ T,]+\d{1,2}:\d{2}   # 24/11/2026 08:14
      | \d{1,2}/\w{3}/\d{4}:\d{2}                             # 24/Nov/2026:08:14
      | [\[(]?\d{4}/\d{2}/\d{2}[ T]\d{1,2}:\d{2}             # 2026/11/23 13:58:41 (nginx)
      | \[(?:mon|tue|wed|thu|fri|sat|sun)\w*\s+\w{3}\s+\d{1,2}\s+\d{1,2}:\d{2}   # [Tue Nov 24 06:41:17 (apache)
"""
_STAMPED = re.compile(r"^\s*(?:" + _STAMP + ")", re.IGNORECASE | re.VERBOSE)
_STRONG = re.compile(
    r"""^\s*(?:""" + _STAMP + r"""
      | (?-i:ERROR|WARN|WARNING|INFO|DEBUG|NOTICE|CRIT|CRITICAL|FATAL|TRACE|SEVERE)\b(?:\s+\d+)?\s*(?:\(\w+\))?\s*[:\]|-]  # level first, in capitals
      | (?:Warning|Fatal\s+error|Notice|Parse\s+error|Deprecated):\s.*(?:\sin\s+/|\(\)|on\s+line\s+\d)  # PHP
      | HTTP/\d(?:\.\d)?\s+\d{3}\b                          # curl -I: HTTP/1.1 502 Bad Gateway
      | at\s+[\w$.<>/]+\(.*\)\s*$                              # Java/JS stack frame
      | File\s+"[^"]+",\s+line\s+\d+                           # Python frame
      | \#\d+\s+(?:/|\{|\w+\\|[\w.]+\()                        # PHP frame  #0 /var/www/...
      | Traceback\s+\(most\s+recent\s+call\s+last\)
      | (?:Stack\s+trace|Caused\s+by|Exception\s+in\s+thread)\b
      | [245]\d\d[ -][245]\.\d{1,3}\.\d{1,3}\b                # SMTP 550 5.7.1
      )
    | \[(?:error|warn|warning|info|debug|notice|crit|alert|emerg|fatal)\]   # [ERROR] anywhere
    | \bPHP\s+(?:Fatal\s+error|Warning|Notice|Parse\s+error|Deprecated|Stack\s+trace)
    | (?<![\w.-])[\w.-]+\[[\d.:]+\]:                           # systemd[1]: / host[192.0.2.40]:
    | \b(?<!\w\.)\w+(?:\.\w+)+(?:Error|Exception)\b            # java.lang.OutOfMemoryError
    | \bSQLSTATE\[ | \bUncaught\s+\w*(?:Error|Exception)\b | \bKilled\s+process\s+\d+ | \bSegmentation\s+fault\b
    | "(?:level|severity|msg|timestamp|@timestamp)"\s*:                 # JSON log lines
    """, re.IGNORECASE | re.VERBOSE)
_TECH = re.compile(
    r"""(?:^|[\s(='"])(?:/[\w.@~+-]+){2,}      # a path /var/log/x
      | \b\d{1,3}(?:\.\d{1,3}){3}\b            # an IPv4 address
      | (?<![\w-])(?<![\w-]\.)[\w-]+(?:\.[\w-]+)+:\d{2,5}\b   # host:port
      | \w\(s\)                                  # failure(s)
      | [{};]\s*$ | ^\s*[{}]                      # code
      | \w=\S | [<>]\w | \w[<>]                   # key=value, <tags>
      | \(\s*(?:code|exit|errno|status)?\s*-?\d+\s*\)   # (CODE 255)
    """, re.IGNORECASE | re.VERBOSE)
_KEYVAL = re.compile(r"\s*[A-Z][\w -]{0,24}:\s+\S")
_FRAMED = re.compile(r"\W*[!*#=~]{3}.*[!*#=~]{3}\W*$")
_BULLET = re.compile(r"\s*(?:[-*•·]|\d{1,2}[.)])\s")
_SHAPE = str.maketrans("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
                       "a" * 26 + "A" * 26 + "9" * 10)

PROSE, CAPS, LAYOUT, TECH, STRONG = 0, 1, 2, 3, 4


def _kind(line: str) -> int:
    """How machine-made one non-blank line looks, from PROSE to STRONG."""
    if _STRONG.search(line):
        return STRONG
    if _TECH.search(line) or _FRAMED.match(line):
        return TECH
    if line[:1] in "\t " and line[:2].strip() == "" and not _BULLET.match(line):
        return LAYOUT  # indented continuation
    if _KEYVAL.match(line):
        return LAYOUT  # "Domain: example.org"
    letters = [c for c in line if c.isalpha()]
    if len(letters) >= 8 and sum(c.isupper() for c in letters) >= 0.7 * len(letters):
        return CAPS  # shouting, or pasted output: told by its neighbours
    return PROSE


def _shape(line: str) -> str:
    return line.strip()[:6].translate(_SHAPE)


def _machine_lines(lines: list[str]) -> list[bool]:
    """Per line: part of a pasted log, code or trace.

    A run of consecutive non-prose lines is set aside when it holds a certain
    sign (a timestamp, a log level, a stack frame...), or two technical lines
    (paths, addresses, code), or follows an introduction ending with ':' and
    holds at least two lines, one of them technical or laid out ("Key: value",
    indented). Three or more prose lines of one structure with digits (a log
    without levels) are set aside too. Capitals alone never are.
    """
    kinds = [_kind(line) if line.strip() else -1 for line in lines]
    out = [False] * len(lines)
    i, n = 0, len(lines)
    intro = False  # the last prose line before here ended with ':'
    while i < n:
        k = kinds[i]
        if k == -1:
            i += 1
        elif k == PROSE:
            j = i + 1
            shape = _shape(lines[i])
            while j < n and kinds[j] == PROSE and _shape(lines[j]) == shape:
                j += 1
            if j - i >= 3 and "9" in shape:
                out[i:j] = [True] * (j - i)
                intro = False
            else:
                intro = lines[j - 1].rstrip().endswith(":")
            i = j
        else:
            j = i
            while j < n and kinds[j] > PROSE:
                j += 1
            run = kinds[i:j]
            tech = run.count(TECH)
            if STRONG in run or tech >= 2 or (intro and len(run) >= 2 and (tech or LAYOUT in run)):
                out[i:j] = [True] * (j - i)
            intro = False
            i = j
    return out


# --- automatic replies ---------------------------------------------------------------------------

# An out-of-office or an autoresponder, not a person: marked as such where it starts ("Automatic reply:",
# "Réponse automatique :", "[Out of Office]")...
_AUTO_MARK = re.compile(r"\W{0,3}(?:re: ?)?(?:automatic reply|auto-?reply|autoreply|automatic response|auto-?response|"
                        r"out of (?:the )?office|ooo|reponse automatique|reponse auto|message automatique|"
                        r"absence du bureau|absent\(e\)|autoantwort)\b")
# ...or telling only that the writer is away and who to turn to meanwhile ("I am out of the office until
# Monday 4 January with limited access to email. For urgent matters please contact office@…", "Je suis
# absente du bureau jusqu'au 3 février inclus. Pour toute urgence, contactez…").
_AWAY = re.compile(r"\b(?:i am|i'm|i will be|i'll be|we are|we're|je suis|je serai|nous sommes|nous serons|"
                   r"l'agence est|the office is|le bureau est|our office is|notre bureau est)"
                   r" (?:currently |actuellement )?(?:out of (?:the )?office|away|on (?:annual |parental )?leave|on holiday|"
                   r"on vacation|absente?s? du bureau|absente?s?|en conges?|fermee?s?|closed)\b")
_MEANWHILE = re.compile(r"\b(?:for (?:urgent|anything urgent|any urgent)|in case of (?:an )?(?:emergency|urgency)|"
                        r"if (?:it is|it's|your (?:matter|request) is) urgent|pour toute (?:urgence|demande urgente)|"
                        r"en cas d'urgence|(?:limited|no) access to (?:my )?e-?mails?|acces limite|sans acces|"
                        r"will (?:reply|respond|answer|get back)[^.]{0,30}\b(?:on )?(?:my )?return|"
                        r"(?:reponse|repondrai|traiterai)[^.]{0,30}\b(?:mon|notre) retour|des mon retour|"
                        r"a mon retour)")
# A person who happens to be away and writes about their own trouble ("je suis absent jusqu'à lundi, mon site
# est en panne, pour toute urgence appelez-moi", "I'm away until Monday but the shop still shows…") is no
# autoresponder.
_OWN_TROUBLE = re.compile(r"\b(?:(?:my|our|mon|ma|notre|nos|mes) (?:site|website|shop|boutique|server|serveur|"
                          r"database)|panne|en erreur|error|down|broken|bug|but|however|mais|par contre|cependant|"
                          r"still|toujours|encore|"
                          r"ne (?:marche|fonctionne)|not working|doesn't work|hors service|plante)\b")
# A person answering us thanks us first ("Merci beaucoup ! Je suis absente jusqu'à mardi, je regarderai ça à mon
# retour"); an away message thanks anyone for their message ("Merci pour votre message. Je suis absente…").
_THANKS_US = re.compile(r"\W*(?:hi|hello|bonjour|bonsoir)?\W*(?:merci|thanks|thank you|many thanks)\b"
                        r"(?!\W*(?:beaucoup |bien |a lot |so much )?(?:pour|for) (?:votre|your|ton|vos) "
                        r"(?:message|mail|e-mail|email|courriel|demande|request)s?\b)")
AUTO_REPLY_MAX_WORDS = 80  # an away message is short; a person telling they are away writes on


def is_auto_reply(body: str) -> bool:
    """Whether *body* is an automatic reply (an out-of-office, an autoresponder), not a person writing."""
    head = fast_fold(body[:1000])
    if _AUTO_MARK.match(head):
        return True
    if not _AWAY.search(head):
        return False  # most messages: no second reading
    own = fast_fold(read(body).text)
    if _THANKS_US.match(own):
        return False
    return (len(own.split()) <= AUTO_REPLY_MAX_WORDS and "?" not in own
            and bool(_AWAY.search(own)) and bool(_MEANWHILE.search(own)) and not _OWN_TROUBLE.search(own))


# --- the whole reading ---------------------------------------------------------------------------

def read(body: str, author: str = "") -> Reading:
    """*body*'s own words (first MAX_CHARS characters), with quotes, signature and pasted logs set aside."""
    body = body[:MAX_CHARS]
    quoted = 0
    quoted_text = forwarded = ""
    cut = _quote_start(body) if (":" in body or "--" in body) else -1
    if cut != -1:
        end = _forward_end(body, cut)
        quoted = sum(1 for line in body[cut:end].split("\n") if line.strip())
        quoted_text = body[cut:min(end, cut + PASTED_CHARS)]
        forwarded = quoted_text if _FORWARDED.match(body, cut) else ""
        # "---- Forwarded message ----" … "---": what they write below the rule is theirs again ("Please sort
        # it before the weekend"); a reply quoted further down is still set aside.
        below = body[end:]
        again = _quote_start(below) if end < len(body) else -1
        if again != -1:
            quoted += sum(1 for line in below[again:].split("\n") if line.strip())
            below = below[:again]
        body = body[:cut] + below
    lines = body.split("\n")
    if ">" in body:
        kept = [line for line in lines if not line.lstrip().startswith(">")]
        marked = [line.lstrip(" >\t") for line in lines if line.lstrip().startswith(">")]
        quoted += sum(1 for line in marked if line.strip())
        quoted_text = ("\n".join(marked) + "\n" + quoted_text)[:PASTED_CHARS]
        lines = kept
    start = _signature_start(lines, author)
    postscript = next((i for i in range(start, len(lines)) if _POSTSCRIPT.match(lines[i])), len(lines))
    signature = sum(1 for line in lines[start:postscript] if line.strip())
    lines = lines[:start] + lines[postscript:]
    machine = _machine_lines(lines)
    log = sum(machine)
    pasted = latest = ""
    if log:
        pasted = "\n".join(line for line, m in zip(lines, machine) if m and not _STAMPED.match(line))[:PASTED_CHARS]
        latest = next((line for line, m in zip(reversed(lines), reversed(machine)) if m and _STAMPED.match(line)),
                      "")[:PASTED_CHARS]
        lines = [line for line, m in zip(lines, machine) if not m]
    return Reading("\n".join(lines), quoted, signature, log, pasted, latest, quoted_text, forwarded)


def set_aside_text(quoted: int, signature: int, log: int) -> str:
    """'40 lines of pasted log, a quoted reply (12 lines) and a signature set aside', or ''."""
    parts = []
    if log:
        parts.append(f"{log} line{'s' if log > 1 else ''} of pasted log or code")
    if quoted:
        parts.append(f"{quoted} quoted line{'s' if quoted > 1 else ''}")
    if signature:
        parts.append(f"{signature} signature line{'s' if signature > 1 else ''}")
    if not parts:
        return ""
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{listed} not read"
