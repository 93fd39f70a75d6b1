"""Widgets the screens are built from: no service calls, no area logic."""
