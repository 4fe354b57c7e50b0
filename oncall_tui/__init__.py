"""oncall-tui: the on-call engineer's queue, shared history and one-key actions."""

__version__ = "0.1.0"
