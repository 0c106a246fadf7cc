"""``python -m draftsim.experiments.cli``: the ``draftsim`` command without the entry-point script."""

import sys

from draftsim.experiments.cli import main

sys.exit(main())
