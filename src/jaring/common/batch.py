"""How a long piece of batch work (a file import) asks Python's memory manager to stay out of its way."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Objects allocated between two young collections during batch work. Python's default (700) suits an
# interactive process; an import allocates and frees a chunk's rows, plans and lookups by the hundred
# thousand, nearly all of them freed by reference counting, and at the default the cyclic collector
# walked the whole heap (the rate book, the chunk's participants, Django's own state) some eighty
# times for 200,000 payments: a sixth of the import.
YOUNG_THRESHOLD = 100_000


@contextmanager
def batch_memory() -> Iterator[None]:
    """Inside the block the objects alive on entry (modules, settings, loaded lookups) are not walked by
    the cyclic collector again, and the young generation is collected after ``YOUNG_THRESHOLD``
    allocations instead of 700; both are restored on exit. Cycles made inside are still collected,
    only less often."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()
