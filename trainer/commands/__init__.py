"""CLI commands, one module per area; each module defines `register(subparsers)`.

Every module here is discovered by trainer.cli, so adding an area's commands
never edits a shared file. A handler is set with `parser.set_defaults(handler=fn)`
and receives the parsed args; it returns an exit code or None (0).

May import: db and anything in trainer except trainer.cli; never screens (the tui command is in trainer.cli).
"""
