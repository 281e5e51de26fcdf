"""Oscar's offer app, forked for ``applicator.Applicator``: the site's offers from the cache."""

from oscar.apps.offer.models import *  # noqa: F403
