from django.contrib.sessions.backends import cached_db

from marketplace import internals


class SessionStore(internals.UncheckedSessionKey, cached_db.SessionStore):
    pass
