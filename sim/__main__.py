"""``python -m sim …`` is the ``regie-sim`` command line."""

from sim.cli.main import main

raise SystemExit(main())
