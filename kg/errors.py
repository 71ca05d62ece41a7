"""One exception for every problem a user can fix: the CLI prints it on one line and exits 2."""


class KgError(Exception):
    """A problem with the user's input (file, graph, query), stated so they can act on it."""
