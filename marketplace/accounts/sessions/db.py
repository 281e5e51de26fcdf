from django.contrib.sessions.backends import db

from marketplace import internals


class SessionStore(internals.UncheckedSessionKey, db.SessionStore):
    pass
