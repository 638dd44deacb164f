"""Trellis: the record system and field tool of intervention teams."""
