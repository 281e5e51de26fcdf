"""R&D projects and facility installs, and disbursements out of the campus fund to them."""


def load_disbursements(*, staff) -> None:
    """Idempotent: loading the demo again adds nothing."""
