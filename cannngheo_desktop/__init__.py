"""Cận Nghèo Desktop: offline registry of poor and near-poor households for commune offices."""

__version__ = "0.1.0"
APP_NAME = "CanNgheoDesktop"
APP_TITLE = "Cận Nghèo Desktop"
