"""The rights app's services, one module per capability (import from the module itself)."""
