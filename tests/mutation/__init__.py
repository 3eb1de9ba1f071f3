"""``make mutate``: a listed set of mutants of the workflow, the ledger and the service's decision path, each
applied to a copy of the tree and run against the tests that should catch it (``python -m tests.mutation``).

Why a list and not mutmut or cosmic-ray: docs/TESTING.md ("Mutation testing").
"""
