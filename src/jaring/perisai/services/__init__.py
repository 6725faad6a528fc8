"""Every write of the Perisai app, for every channel (the pages, the partner API, the CLI, the worker, the
admin, the demo).

``lifecycle``: enrol, onboard, activate, deactivate, rejoin, terminate, and the monthly idle run.
``statements``: the monthly statements job, approval and payout. ``rules``: seeding and correcting the
effective-dated agent rules.
"""

from jaring.perisai.services.lifecycle import (
    ONBOARDING_FIELDS,
    REQUIREMENTS,
    LifecycleResult,
    add_months,
    agent_activate,
    agent_deactivate,
    agent_enrol,
    agent_onboarding_record,
    agent_rejoin,
    agent_terminate,
    idle_agents,
    lifecycle_run,
    missing_requirements,
)
from jaring.perisai.services.rules import agent_rule_check, agent_rule_save, agent_rules_seed
from jaring.perisai.services.statements import (
    ComputeResult,
    acquisitions_by_agent,
    eligible_agents,
    payout_create,
    statement_approve,
    statements_compute,
)

__all__ = [
    "ONBOARDING_FIELDS",
    "REQUIREMENTS",
    "ComputeResult",
    "LifecycleResult",
    "acquisitions_by_agent",
    "add_months",
    "agent_activate",
    "agent_deactivate",
    "agent_enrol",
    "agent_onboarding_record",
    "agent_rejoin",
    "agent_rule_check",
    "agent_rule_save",
    "agent_rules_seed",
    "agent_terminate",
    "eligible_agents",
    "idle_agents",
    "lifecycle_run",
    "missing_requirements",
    "payout_create",
    "statement_approve",
    "statements_compute",
]
