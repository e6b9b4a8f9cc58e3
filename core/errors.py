"""Errors meant for users: the message says what went wrong and what to do."""


class UserError(ValueError):
    """Bad input from a user (file, column, parameter).

    Pages show the message in an error box; the CLI prints it on one line and exits 2.
    Subclasses ValueError so code that expects a ValueError still catches it.
    """
