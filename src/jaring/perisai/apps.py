from django.apps import AppConfig


class PerisaiConfig(AppConfig):
    name = "jaring.perisai"

    def ready(self) -> None:
        from jaring.monitoring.models import Target
        from jaring.monitoring.progress import office_reader_register
        from jaring.perisai import targets

        office_reader_register(Target.Metric.ACTIVE_AGENTS, targets.active_agents_reading)
        office_reader_register(Target.Metric.ACQUISITIONS_PER_AGENT, targets.acquisitions_per_agent_reading)
