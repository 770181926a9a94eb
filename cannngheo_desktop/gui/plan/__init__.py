"""Screens of the yearly plan: the Kế hoạch tab, its progress, objectives, support and
milestone pages, and their dialogs."""
