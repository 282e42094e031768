"""Approval (SPEC §11): the manager gets the submitted report by email, opens it with a
link of its own and decides; the employee is told. It all happens after the employee's
session has ended, so it reads the report from the database, never from session memory."""
