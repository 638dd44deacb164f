"""Models of the health app."""
