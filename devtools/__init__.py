"""Tools for the people building oncall-tui: the benchmark, the test runner. Not part of the installed package."""
