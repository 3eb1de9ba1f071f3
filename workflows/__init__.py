"""Temporal workflows. Nothing here may import Qt: the sandbox re-imports these modules."""
