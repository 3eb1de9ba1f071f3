"""The order ledger: the app's own database copy of every order and transition.

Temporal forgets a closed workflow after the namespace's retention; the ledger does not. The
workflow keeps it current through a local activity (never a face), with writes keyed so that a
retried activity upserts the same rows instead of adding new ones.
"""

from core.ledger.store import Ledger

__all__ = ["Ledger"]
