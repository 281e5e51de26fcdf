"""The Social Contract's v1 accepted by every demo operator, v2 published and pending for one."""


def load_contract(*, staff) -> None:
    """Idempotent: loading the demo again adds nothing."""
