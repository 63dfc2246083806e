"""The exit codes every command shares (README, "Exit codes"), numbered as ruff numbers its own.

A scheduler reads them: 0 and 1 mean the night's reports were written (1: some inputs
were skipped and are listed), 2, 4 and 143 mean they were not, 3 that there was nothing to audit.
"""

OK = 0
FINDINGS = SKIPPED = 1
"""`audit`: some inputs skipped, the rest audited; `check`, `rules test`, `rules validate`: something to report."""
USAGE = 2
"""A bad option or rule pack, a database in use, a folder that cannot be written, a worker that died."""
NOTHING = 3
"""No transcript could be audited (or, for `report`, the period holds no calls)."""
INTERNAL = 4
"""A bug: the traceback says where."""
TERMINATED = 128 + 15
"""Stopped by SIGTERM (a scheduler's time limit, a service stop, `kill`), as a shell reports it."""
CLOSED_PIPE = 128 + 13
"""The reader of stdout went away (`qa-audit check … | head`), as a shell reports SIGPIPE: no error."""
