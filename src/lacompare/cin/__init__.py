"""The LA's own CIN and child protection figures from its CIN census return
(:func:`figures_from_cin`): :mod:`.read` → :mod:`.parse` → :mod:`.measures` →
:mod:`.figures`, with :mod:`.layout` (elements, tables, code lists), :mod:`.days` (working
days, months) and :mod:`.synthetic` (a seeded generator of returns for tests and examples).
"""

from lacompare.cin.figures import RULE_VERSION, CinWarning, figures_from_cin

__all__ = ["RULE_VERSION", "CinWarning", "figures_from_cin"]
