"""Knowledge records and the learning cycle.

Dependency direction: ``knowledge`` imports ``programs``, ``partnerships``,
``accounts`` and ``geo``; nothing below it imports ``knowledge``.

- ``common``: the language choices and the bilingual fallback;
- ``records``: lessons, practices offered or sought, policies adopted;
- ``cycle``: reflections after activities and the follow-ups of lessons applied.
"""

from kembar.knowledge.models.common import Language, in_language
from kembar.knowledge.models.cycle import (
    OPEN_STAGES,
    FollowUp,
    FollowUpStage,
    FollowUpStep,
    Reflection,
    ReflectionStatus,
)
from kembar.knowledge.models.records import (
    InstrumentKind,
    Lesson,
    LessonStatus,
    Policy,
    Practice,
    PracticeDirection,
)

__all__ = [
    "OPEN_STAGES",
    "FollowUp",
    "FollowUpStage",
    "FollowUpStep",
    "InstrumentKind",
    "Language",
    "Lesson",
    "LessonStatus",
    "Policy",
    "Practice",
    "PracticeDirection",
    "Reflection",
    "ReflectionStatus",
    "in_language",
]
