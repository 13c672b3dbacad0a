"""``python -m bondkit.ec2 serve --state-file FILE``: the background EC2 emulator's process.

``bondkit ec2 emulator start`` starts it; see :mod:`bondkit.ec2.emulator`.
"""

import sys

from bondkit.ec2.emulator import main

sys.exit(main())
