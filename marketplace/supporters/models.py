"""True Fans: supporters' monthly plans to a storefront (by card as Stripe subscriptions or by bank standing order),
each paid month split by the ledger, and operators' updates to their supporters."""
