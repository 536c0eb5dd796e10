"""Exit 0 when the ALSA development headers that simpleaudio builds against are present."""

import os
import sys

CANDIDATES = ("/usr/include/alsa/asoundlib.h", "/usr/local/include/alsa/asoundlib.h")

sys.exit(0 if any(os.path.exists(p) for p in CANDIDATES) else 1)
