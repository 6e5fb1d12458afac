"""The ground floor: helpers every app may use and that know no domain.

Nothing in ``lib`` imports an app of this project (see docs/architecture.md); apps import it.
"""
