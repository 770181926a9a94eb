"""Qt-free, SQL-free domain core."""
