import sys

from bondkit.cli import main

sys.exit(main())
