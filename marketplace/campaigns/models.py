"""The pooled marketing fund at work: operators opt in, campaigns spend from the pool through the ledger, referral
codes and UTM parameters attribute orders to campaigns."""
