"""Who holds the OSE brand: the one place the rule lives (pure functions over values; selectors read the rows).

An operator holds the brand while it has accepted the current version of the Social Contract, or has accepted the
version before it and the current one's grace period is not over. With no version published, nobody holds it."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone


@dataclass(frozen=True)
class Standing:
    """A person's place under the Social Contract, as a page shows it."""

    current: object | None  # the current ContractVersion, or None before the first is published
    accepted: object | None  # their Acceptance of the current version
    previous: object | None  # their Acceptance of the version before it (while the current one waits)
    holds_brand: bool
    deadline: date | None  # the last day to accept the current version and keep the brand (while it waits)

    @property
    def pending(self) -> bool:
        """A new version waits for them, and the brand still holds until its deadline."""
        return self.current is not None and self.accepted is None and self.holds_brand

    @property
    def held_version(self):
        """The version whose acceptance gives them the brand now: the one before, while the current one waits."""
        held = self.accepted or (self.previous if self.holds_brand else None)
        return held.version if held else None

    @property
    def brand_ends_at(self) -> datetime | None:
        """The moment the brand ends by itself (the grace period runs out), or None."""
        return grace_ends(self.deadline) if self.pending else None


def grace_ends(deadline: date) -> datetime:
    """The grace period ends when the deadline's day is over, in the shop's time zone."""
    return timezone.make_aware(datetime.combine(deadline + timedelta(days=1), time.min))


def holds_brand(*, accepted_current: bool, accepted_previous: bool, deadline: date | None, now: datetime) -> bool:
    if accepted_current:
        return True
    return accepted_previous and deadline is not None and now < grace_ends(deadline)
