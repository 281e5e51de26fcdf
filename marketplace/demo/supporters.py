"""Supporters on two storefronts (by card and by standing order), their paid months, an update sent."""


def load_supporters(logins: dict) -> None:
    """Idempotent: loading the demo again adds nothing."""
