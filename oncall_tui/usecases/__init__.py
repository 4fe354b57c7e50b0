"""The use cases of oncall: one module per thing an engineer does, for both faces.

The screen (`ui/`) and the command line (`cli.py`, `commands/`) call these
functions and nothing below them: they compose the store, the core, the
actions and the connectors. Every function takes a `Session` (who, when, which
store, which settings) and never touches Textual or argparse.
"""
