"""Tallies and coverage deltas: the counts the facts write into, and their check against the facts."""
