"""The approver's form: Approve, or Reject with a reason."""

from __future__ import annotations

from wtforms import Form

from ...engine.fields import paragraph

REASON_LIMIT = 500  # characters: the employee reads it in an email and on the confirmation


class DecisionForm(Form):
    reason = paragraph("Reason for rejecting", None, REASON_LIMIT)

    def validate_for(self, action: str) -> bool:
        """Valid for this button: a reason is needed to reject."""
        valid: bool = self.validate()
        if action == "reject" and valid and not self.reason.data:
            self.reason.errors = ["Enter the reason for rejecting"]
            return False
        return valid
