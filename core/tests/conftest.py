import sys
from pathlib import Path

# Lets the tests import their small helpers (eventfiles.py) by plain name.
sys.path.insert(0, str(Path(__file__).parent))
