"""``python -m workers.cli`` runs the command line (the test stack starts it this way)."""

from workers.cli import main

main()
