"""Screens of the household registry: the Hộ gia đình tab, the household editor and its
assessment panel, members, events, history, Excel import, the rulesets dialog."""
