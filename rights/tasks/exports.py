"""Placeholder until issue 14's exports work lands: replaced by its tasks."""
