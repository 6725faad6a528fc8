"""The Perisai rules in force, read from the ``AgentRule`` rows."""

from jaring.perisai.models import AgentRule
from jaring.rules.commission import AgentRuleBook, load_agent_rulebook


def agent_rules_data() -> dict:
    """The rows as the plain mapping ``load_agent_rulebook`` reads, windows taken from the columns."""
    data: dict[str, list] = {"commission": [], "lifecycle": []}
    for rule in AgentRule.objects.all():
        entry = dict(rule.data)
        entry.update(
            code=rule.code,
            valid_from=str(rule.valid_from),
            valid_to=str(rule.valid_to) if rule.valid_to else None,
            uncertain=rule.uncertain,
            source=rule.source,
            note=rule.note,
        )
        data[rule.kind].append(entry)
    return data


def agent_rulebook() -> AgentRuleBook:
    """The commission and lifecycle rules as the database holds them now (a handful of rows: not cached,
    so a rule corrected in the admin counts at once)."""
    return load_agent_rulebook(agent_rules_data())
