"""Target registration keyed like AWS, and IP targets checked against the VPC.

AWS behaviour reproduced:
- a target is identified by (Id, Port): the same IP registered on two ports is two targets,
  and deregistering one port leaves the other (moto keys by Id only, so the second
  registration overwrote the first and a deregistration removed both);
- an `ip` target must be inside a subnet of the target group's VPC unless it is registered
  with AvailabilityZone `all` from a private range (10/8, 172.16/12, 192.168/16,
  100.64/10); otherwise `InvalidTarget`. moto accepts any string;
- a deregistered target is `draining` for the group's `deregistration_delay.timeout_seconds`
  (default 300) and still listed by DescribeTargetHealth; deregistering a target that is not
  registered does nothing (moto: `InvalidTarget`).
"""

import ipaddress
import time
from typing import Any

from moto.elbv2.exceptions import InvalidTargetError, TargetGroupNotFoundError, TargetNotRunning
from moto.elbv2.models import ELBv2Backend, FakeHealthStatus, FakeTargetGroup

_PRIVATE_RANGES = [
    ipaddress.ip_network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")
]


def _key(group: Any, target: dict[str, Any]) -> tuple[str, str]:
    return (target["Id"], str(target.get("Port") or group.port))


def _check_ip_target(group: Any, target: dict[str, Any]) -> None:
    try:
        ip = ipaddress.ip_address(target["Id"])
    except ValueError:
        raise InvalidTargetError() from None
    if target.get("AvailabilityZone") == "all":
        if any(ip in net for net in _PRIVATE_RANGES):
            return
        raise InvalidTargetError()
    subnets = group.ec2_backend.describe_subnets(filters={"vpc-id": [group.vpc_id]})
    if not any(ip in ipaddress.ip_network(s.cidr_block) for s in subnets):
        raise InvalidTargetError()


def register(self: Any, targets: list[dict[str, Any]]) -> None:
    """Registers each (Id, Port); the whole batch is validated first."""
    for target in targets:
        if self.target_type == "ip":
            _check_ip_target(self, target)
        if instance := self.ec2_backend.get_instance_by_id(target["Id"]):
            if instance.state != "running":
                raise TargetNotRunning(instance_id=target["Id"])
    for target in targets:
        key = _key(self, target)
        self.targets[key] = {"Id": target["Id"], "Port": target.get("Port") or self.port}
        self.deregistered_targets.pop(key, None)


def deregister(self: Any, targets: list[dict[str, Any]]) -> None:
    """Deregisters the given (Id, Port) pairs; they drain for the deregistration delay.
    A pair that is not registered is a no-op, as in AWS."""
    for target in targets:
        key = _key(self, target)
        entry = self.targets.pop(key, None)
        if entry is not None:
            self.deregistered_targets[key] = {**entry, "_since": time.monotonic()}


def _draining(group: Any, key: tuple[str, str]) -> bool:
    entry = group.deregistered_targets.get(key)
    if entry is None or "_since" not in entry:
        return False
    delay = float(group.attributes.get("deregistration_delay.timeout_seconds", 300))
    return time.monotonic() - entry["_since"] < delay


def deregister_terminated_instances(self: Any, instance_ids: list[str]) -> None:
    """moto's hook for terminated instances, on (Id, Port) keys."""
    for key in list(self.targets):
        if key[0] in instance_ids:
            self.terminated_targets[key] = self.targets.pop(key)


def health_for(self: Any, target: dict[str, Any], ec2_backend: Any) -> FakeHealthStatus:
    """Health of one (Id, Port). Registered targets are healthy at once, as in moto."""
    key = _key(self, target)
    entry = self.targets.get(key)
    if entry is not None:
        instance = ec2_backend.get_instance_by_id(key[0]) if key[0].startswith("i-") else None
        if instance is not None and instance.state == "stopped":
            return _status(
                self, key, "unused", "Target.InvalidState", "Target is in the stopped state"
            )
        return _status(self, key, "healthy")
    if key in self.terminated_targets or _draining(self, key):
        return _status(
            self,
            key,
            "draining",
            "Target.DeregistrationInProgress",
            "Target deregistration is in progress",
        )
    return _status(
        self,
        key,
        "unused",
        "Target.NotRegistered",
        "Target is not registered to the target group",
    )


def _status(group: Any, key: tuple[str, str], state: str, *reason: str) -> FakeHealthStatus:
    return FakeHealthStatus(key[0], key[1], group.health_check_port, state, *reason)


def describe_target_health(
    self: Any, target_group_arn: str, targets: list[dict[str, Any]]
) -> list[FakeHealthStatus]:
    """Without Targets: every registered target plus those still draining, like AWS."""
    group = self.target_groups.get(target_group_arn)
    if group is None:
        raise TargetGroupNotFoundError()
    if not targets:
        draining = [e for k, e in group.deregistered_targets.items() if _draining(group, k)]
        targets = list(group.targets.values()) + draining
    return [group.health_for(t, self.ec2_backend) for t in targets]


def install() -> None:
    """Patch moto's target group."""
    FakeTargetGroup.register = register
    FakeTargetGroup.deregister = deregister
    FakeTargetGroup.deregister_terminated_instances = deregister_terminated_instances
    FakeTargetGroup.health_for = health_for
    ELBv2Backend.describe_target_health = describe_target_health
