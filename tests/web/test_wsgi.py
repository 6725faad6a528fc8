"""The WSGI module a server loads."""

import subprocess
import sys


def test_the_start_up_heap_is_set_aside_from_the_cyclic_collector():
    code = "import gc, jaring.wsgi; print(gc.get_freeze_count())"
    frozen = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(frozen.stdout.split()[-1]) > 10_000  # Django and jaring's modules, not a handful
