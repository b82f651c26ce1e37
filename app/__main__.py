"""`python -m app` runs the gradlive command."""

from app.cli import main

raise SystemExit(main())
