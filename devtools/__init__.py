"""Developer tools for oncall-tui: evaluations and generators, not part of the installed package."""
