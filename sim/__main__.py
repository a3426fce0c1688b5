"""``python -m sim …`` is the ``regie-sim`` command line."""

from sim.cli import main

raise SystemExit(main())
