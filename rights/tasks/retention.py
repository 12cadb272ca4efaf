"""Placeholder until issue 14's retention work lands: replaced by its tasks."""
