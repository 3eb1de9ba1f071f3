"""Order Desk core: models, settings, the Temporal service layer and the processes around it.

Nothing in this package imports Qt: workflow code imports ``core.models`` and the
workflow sandbox must be able to load it.
"""

__version__ = "0.1.0"
