"""The commands of `oncall`, one module per feature (see `cli.MODULES`).

Each module has `register(sub, common)`, which adds its parsers (with
`parents=[common]` for the global options) and sets `run` to
"module:function"; the function takes the parsed arguments and returns the
exit code. Modules import what they need inside the functions, so building
the parser stays cheap.
"""
