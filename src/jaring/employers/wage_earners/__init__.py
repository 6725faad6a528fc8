"""Wage earners (PU) at their employers: their jobs with wages and months (``services``: one check and
set-based apply), and their segment at any date with the counts by segment (``queries``)."""
