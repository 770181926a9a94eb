"""Screens of the data exchange: the Trao đổi dữ liệu tab, keys and key cards, bundle export
and import, the completeness grid."""
