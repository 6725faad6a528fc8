"""Worlds to show and to test with, loaded through the same services every channel uses: the demo world
(offices, partners, outlets, agents, a payer and synthetic participants with a payment history;
``demo_world_load`` in ``world``) and scenarios built from declared counts (``scenarios``: ``jaring
scenario load``)."""
