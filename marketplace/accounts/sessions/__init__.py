"""Django's session stores, the database one (``db``) and the one that reads from Redis and writes through to the
database (``cached_db``), with a new session's key not looked up before it is written: the key is 32 random
characters, and the insert itself refuses a key in use (Django's ``create()`` then draws another), so asking first
only cost every visitor's first saved session (a guest's checkout) one query. See ``internals.UncheckedSessionKey``."""
