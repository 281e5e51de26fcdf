"""Running the shop rather than selling: health endpoints and the worker heartbeat, backups, the anonymous page cache,
Oscar's analytics counters, and the dead letters of background tasks."""
