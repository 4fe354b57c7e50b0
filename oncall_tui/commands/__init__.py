"""Sub-commands of `oncall` beyond the core ones in cli.py, one module per feature.

Each module defines `register(sub, common)` that adds its parsers (with
`parents=[common]` for the global options) and sets `func` on them.
`COMMANDS` says which module holds which command, so `oncall` alone (the
full screen) imports none of them: start-up stays fast.
"""

COMMANDS = {
    "note": "notes", "summary": "notes", "run": "run", "export": "export", "incident": "incident",
    "handoff": "handoff", "search": "search", "intents": "intents", "sync": "sync",
}
MODULES = tuple(dict.fromkeys(COMMANDS.values()))
