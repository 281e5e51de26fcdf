"""Who someone is and what they may do: sign-in, registration and sign-out (``views``), the login lockout and the
shop's security headers (``security``), who may use a view (``access``), and the rate limits on forms that could
probe or flood (``email_checks``, ``password_reset``, ``rate_limits``)."""
