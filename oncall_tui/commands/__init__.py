"""Sub-commands of `oncall` beyond the core ones in cli.py, one module per feature.

Each module defines `register(sub, common)` that adds its parsers (with
`parents=[common]` for the global options) and sets `func` on them.
"""

MODULES = ("notes", "run", "export", "incident", "handoff", "search", "intents")
