"""Screens of the documents: the Báo cáo tab, its parameters and the print preview."""
