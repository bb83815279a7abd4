import sys
from pathlib import Path

# Lets the tests import their helper (_blocked_imports.py) by plain name.
sys.path.insert(0, str(Path(__file__).parent))
