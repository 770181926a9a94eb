"""The frame every screen lives in: start-up and session (open, set up, log in), the main window,
the task runner for work off the GUI thread, error dialogs and the widgets screens share."""
