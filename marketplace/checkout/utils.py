"""Oscar's checkout session, forked: reading it writes nothing."""

from oscar.apps.checkout import utils


class CheckoutSessionData(utils.CheckoutSessionData):
    """Oscar's stores an empty checkout in the session as soon as a checkout page reads it, so a guest who only
    opens the checkout page costs a new session row (four queries). Here the empty checkout lives in the session
    unsaved; it is saved with the first detail the shopper gives (Oscar's setters mark the session modified)."""

    def __init__(self, request):
        self.request = request
        session = request.session
        if self.SESSION_KEY not in session:
            modified = session.modified
            session[self.SESSION_KEY] = {}
            session.modified = modified  # an empty checkout alone is nothing to save (a change before it still is)
