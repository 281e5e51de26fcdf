from django.db import models


class OrderEmail(models.Model):
    """One e-mail to an order's shopper, recorded when sent: its key (e.g. ``shipped:12``) is unique, so a task run
    twice sends it once. The message itself is Oscar's (a CommunicationEvent, and an Email for a customer)."""

    key = models.CharField(max_length=80, unique=True)
    order = models.ForeignKey("order.Order", on_delete=models.CASCADE, related_name="shopper_emails")
    code = models.CharField(max_length=64)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sent_at", "pk"]

    def __str__(self):
        return self.key
