"""Records that belong to no one domain: the dead letters of background tasks, whichever app's task it was."""

from django.db import models


class FailedTask(models.Model):
    """A task that gave up: it raised after its retries (or on an error no retry helps). Staff read it in the admin;
    what it was meant to do is either redone by a sweep (allocations, fulfilment) or needs a person."""

    task_id = models.CharField(max_length=64, unique=True)  # one row per task, however often it was delivered
    task_name = models.CharField(max_length=200, db_index=True)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    exception = models.CharField(max_length=500)
    traceback = models.TextField(blank=True, help_text="The last lines of the traceback.")
    attempts = models.PositiveIntegerField(default=1)
    first_seen = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-last_seen", "-pk"]

    def __str__(self):
        return f"{self.task_name} [{self.task_id}]"
