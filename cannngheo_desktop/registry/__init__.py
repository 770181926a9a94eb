"""Household registry services (Qt-free): validation, Excel import/export and the template.

The registry tab calls these; its queries are queries.py (lists, search, one household) and duplicates.py.
"""
