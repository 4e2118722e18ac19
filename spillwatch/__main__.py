import sys

from spillwatch.cli import main

sys.exit(main())
