"""Operator-changeable programme settings: every number in the brief is a default, not a constant."""
