"""Batch work (a file import) runs with the cyclic collector held back, and gives it back afterwards."""

import gc

import pytest

from jaring.common.batch import YOUNG_THRESHOLD, batch_memory


def test_the_collector_is_held_back_inside_and_restored_after():
    before = gc.get_threshold()
    with batch_memory():
        assert gc.get_threshold()[0] == YOUNG_THRESHOLD
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_the_collector_is_restored_when_the_work_fails():
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), batch_memory():
        raise RuntimeError("chunk failed")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_cycles_made_inside_are_still_collected():
    class Node:
        pass

    with batch_memory():
        node = Node()
        node.itself = node
        del node
        assert gc.collect() > 0
