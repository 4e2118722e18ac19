"""One module per CLI command, each defining a :class:`spillwatch.commands.base.Command` subclass."""
