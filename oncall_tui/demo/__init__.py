"""`oncall demo`: a throwaway store seeded from the shipped fixtures, and optionally a local ACME CA.

Only the command line's `demo` command uses this package; nothing else in the product imports it.
"""
