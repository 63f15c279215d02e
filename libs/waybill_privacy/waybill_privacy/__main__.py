"""``python -m waybill_privacy``: the command line."""

import sys

from .cli import main

sys.exit(main())
