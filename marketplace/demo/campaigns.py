"""Operators in the pool, one approved campaign with its spending and attributed orders."""


def load_campaigns(logins: dict) -> None:
    """Idempotent: loading the demo again adds nothing."""
