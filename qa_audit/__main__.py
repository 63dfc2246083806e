"""`python -m qa_audit` works like `qa-audit`."""

from qa_audit.cli import main

main(prog_name="qa-audit")
