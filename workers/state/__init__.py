"""Redis-backed state of the application: locks and reprocessing progress."""
