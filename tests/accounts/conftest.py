"""The accounts tests use the shared ``network`` and ``staff`` fixtures of tests/conftest.py."""
