"""Reconciliation in the service: a case's stored answer, its review queue, and applying it."""
