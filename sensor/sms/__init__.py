"""SMS (placeholder docstring replaced below)."""
