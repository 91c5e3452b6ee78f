"""What a run leaves behind: the event log, metrics, the summary."""
