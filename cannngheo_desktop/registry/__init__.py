"""Household registry services (Qt-free): validation, Excel import/export and the template.

The registry tab calls these; queries over the database live in storage.registry_queries.
"""
