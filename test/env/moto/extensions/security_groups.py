"""DeleteSecurityGroup dependency checks.

AWS behaviour reproduced: a group still attached to a network interface (endpoint ENIs
included), to a load balancer, or referenced by a rule of another group cannot be deleted
— `DependencyViolation`. moto deletes it and leaves dangling references.
"""

from typing import Any

from moto.ec2.exceptions import DependencyViolationError
from moto.ec2.models import EC2Backend
from moto.elbv2.models import elbv2_backends

_original_delete = EC2Backend._delete_security_group


def _attached_to_eni(backend: Any, group_id: str) -> bool:
    return any(any(g.id == group_id for g in eni._group_set) for eni in list(backend.enis.values()))


def _attached_to_load_balancer(backend: Any, group_id: str) -> bool:
    account = dict.get(elbv2_backends, backend.account_id)
    elbv2 = dict.get(account, backend.region_name) if account is not None else None
    if elbv2 is None:
        return False
    return any(group_id in (lb.security_groups or []) for lb in list(elbv2.load_balancers.values()))


def _referenced_by_other_group(backend: Any, group_id: str) -> bool:
    for groups in list(backend.groups.values()):
        for group in list(groups.values()):
            if group.id == group_id:
                continue
            for rule in group.ingress_rules + group.egress_rules:
                if (rule.source_group or {}).get("GroupId") == group_id:
                    return True
    return False


def delete_security_group(self: Any, vpc_id: str | None, group_id: str) -> None:
    """moto's delete, after AWS's dependency checks."""
    if (
        _attached_to_eni(self, group_id)
        or _attached_to_load_balancer(self, group_id)
        or _referenced_by_other_group(self, group_id)
    ):
        raise DependencyViolationError(f"resource {group_id} has a dependent object")
    _original_delete(self, vpc_id, group_id)


def install() -> None:
    """Patch moto's EC2 backend."""
    EC2Backend._delete_security_group = delete_security_group
