"""Dialogs: setup, login and small helpers for file choosers."""
