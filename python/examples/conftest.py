"""Makes the checkout's python/ importable and enables nestlab's fixtures."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

pytest_plugins = ["nestlab.pytest_plugin"]
