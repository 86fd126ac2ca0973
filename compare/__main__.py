"""``python -m compare``: the ``narrative-compare`` command."""

import sys

from compare.cli import main

sys.exit(main())
