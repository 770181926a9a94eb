"""One widget class per main-window tab; later work replaces each empty state with the real tab."""
