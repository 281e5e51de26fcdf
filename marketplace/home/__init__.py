"""The landing page at ``/``: what the shop is, in a screen, with a way into each part of it."""
