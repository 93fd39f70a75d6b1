"""What a role is offered: each screen names the permission an action needs (trainer/accounts/access.py).

An action the signed-in role may not use is neither shown in the key bar nor run by its key;
the services refuse it anyway (docs/roles.md). Actions with a parameter are named `action:param`.
"""

from __future__ import annotations


def may(node, operation: str | None) -> bool:
    if operation is None:
        return True
    actor = getattr(node.app, "actor", None)
    return actor is not None and actor.may(operation)


class RoleGate:
    NEEDS: dict[str, str] = {}  # action (or "action:param") -> permission

    def offered(self, action: str, parameters: tuple = ()) -> bool:
        name = f"{action}:{parameters[0]}" if parameters else action
        return may(self, self.NEEDS.get(name, self.NEEDS.get(action)))

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        return self.offered(action, parameters)
