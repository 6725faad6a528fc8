"""The Perisai rules in force, read from the ``AgentRule`` rows through ``common.rules``."""

from jaring.common.rules import rule_entries
from jaring.perisai.models import AgentRule
from jaring.rules.commission import AgentRuleBook, load_agent_rulebook


def agent_rules_data() -> dict:
    """The rows as the plain mapping ``load_agent_rulebook`` reads, windows taken from the columns (the
    quality thresholds too, under ``quality``: the rule book leaves them to ``perisai.quality``)."""
    return rule_entries(AgentRule.objects.all(), {kind: kind for kind in AgentRule.Kind.values})


def agent_rulebook() -> AgentRuleBook:
    """The commission and lifecycle rules as the database holds them now (a handful of rows: not cached,
    so a rule corrected in the admin counts at once)."""
    return load_agent_rulebook(agent_rules_data())
