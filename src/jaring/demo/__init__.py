"""A demo world: offices, partners, outlets, agents, a payer and synthetic participants with a payment
history, loaded through the same services every channel uses (``demo_world_load`` in ``world``)."""
