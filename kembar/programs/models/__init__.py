"""Activities under partnerships, and the code lists they are classified by.

Dependency direction: ``programs`` imports ``partnerships``, ``accounts`` and
``geo``; nothing below it imports ``programs``.  So far: the code lists (the 17
Input-Output sectors with their KBLI sections, the 32 government affairs, the
17 SDGs and their 169 targets).
"""

from kembar.programs.models.codelists import GovernmentAffair, SdgGoal, SdgTarget, Sector

__all__ = ["GovernmentAffair", "SdgGoal", "SdgTarget", "Sector"]
