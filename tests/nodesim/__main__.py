import sys

from tests.nodesim.run import main

sys.exit(main())
