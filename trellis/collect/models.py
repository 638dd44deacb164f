"""Models of the collect app."""
