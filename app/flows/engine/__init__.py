"""The engine: a flow declared as steps and sections; navigation computed from them.

It knows no flow of its own: each flow (app/flows/<name>/) declares its sections, the
steps that ask for them and what each step needs, and the engine derives the rest.
"""

from .flow import Flow, Step
from .sections import Collection, Group, PerItem, Section, Single

__all__ = ["Collection", "Flow", "Group", "PerItem", "Section", "Single", "Step"]
