"""Las muestras de entregas viven junto a estas pruebas (muestras.py)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
