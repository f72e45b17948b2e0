"""ELBv2 behaviour moto gets wrong in ways that would let a wrong controller pass.

AWS behaviour reproduced:
- network / gateway load balancer ARNs are `loadbalancer/net/…` / `loadbalancer/gwy/…`
  (listener ARNs follow: `listener/net/…`); moto writes `app` for every type;
- SetRulePriorities validates the final state, so a swap within one call works;
- DescribeRules returns rules by ascending priority, the default rule last;
- a resource holds up to 50 tags (moto: 10);
- CreateTargetGroup with an existing name and identical settings returns the existing
  group; different settings → `DuplicateTargetGroupName`.
"""

from typing import Any

from moto.elbv2.exceptions import (
    DuplicatePriorityError,
    DuplicateTargetGroupName,
    PriorityInUseError,
    RuleNotFoundError,
    TooManyTagsError,
)
from moto.elbv2.models import ELBv2Backend

_TYPE_SEGMENT = {"network": "net", "gateway": "gwy"}
_MAX_TAGS = 50
_IDENTIFYING = ("vpc_id", "protocol", "port")

_original_create_load_balancer = ELBv2Backend.create_load_balancer
_original_describe_rules = ELBv2Backend.describe_rules
_original_create_target_group = ELBv2Backend.create_target_group


def create_load_balancer(self: Any, *args: Any, **kwargs: Any) -> Any:
    """moto's create, then the ARN re-keyed to the load balancer's type."""
    lb = _original_create_load_balancer(self, *args, **kwargs)
    segment = _TYPE_SEGMENT.get(lb.type)
    if segment is None:
        return lb
    old_arn = lb.arn
    new_arn = old_arn.replace(":loadbalancer/app/", f":loadbalancer/{segment}/", 1)
    tags = self.tagging_service.get_tag_dict_for_resource(old_arn)
    self.tagging_service.delete_all_tags_for_resource(old_arn)
    self.load_balancers.pop(old_arn)
    lb.arn = new_arn
    self.load_balancers[new_arn] = lb
    if tags:
        self.tagging_service.tag_resource(
            new_arn, [{"Key": k, "Value": v} for k, v in tags.items()]
        )
    return lb


def _priority_key(rule: Any) -> tuple[int, int]:
    return (1, 0) if rule.is_default else (0, int(rule.priority))


def describe_rules(self: Any, listener_arn: str | None, rule_arns: list[str] | None) -> list[Any]:
    """Rules by ascending priority, default last."""
    return sorted(_original_describe_rules(self, listener_arn, rule_arns), key=_priority_key)


def set_rule_priorities(self: Any, rule_priorities: list[dict[str, Any]]) -> list[Any]:
    """Applies all new priorities at once; only a clash in the final state is an error."""
    priorities = [str(rp["Priority"]) for rp in rule_priorities]
    for priority in set(priorities):
        if priorities.count(priority) > 1:
            raise DuplicatePriorityError(priority)
    changes = []
    for rp in rule_priorities:
        rules = _original_describe_rules(self, None, [rp["RuleArn"]])
        if not rules or rules[0].is_default:
            raise RuleNotFoundError()
        changes.append((rules[0], int(rp["Priority"])))
    changed_arns = {rule.arn for rule, _ in changes}
    for rule, priority in changes:
        listener = self.describe_listeners(None, [rule.listener_arn])[0]
        for other in listener.rules.values():
            if other.is_default or other.arn in changed_arns:
                continue
            if int(other.priority) == priority:
                raise PriorityInUseError()
    for rule, priority in changes:
        rule.priority = priority
    return [rule for rule, _ in changes]


def add_tags(self: Any, resource_arns: list[str], tags: list[dict[str, str]]) -> None:
    """AddTags with AWS's quota of 50 tags per resource."""
    new = self.tagging_service.flatten_tag_list(tags)
    for arn in resource_arns:
        self._get_resource_by_arn(arn)
        existing = self.tagging_service.get_tag_dict_for_resource(arn)
        if len(set(existing) | set(new)) > _MAX_TAGS:
            raise TooManyTagsError()
    for arn in resource_arns:
        self.tagging_service.tag_resource(arn, tags)


def _same_settings(group: Any, kwargs: dict[str, Any]) -> bool:
    wanted = {
        "vpc_id": kwargs.get("vpc_id"),
        "protocol": kwargs.get("protocol"),
        "port": None if kwargs.get("port") is None else str(kwargs["port"]),
        "target_type": kwargs.get("target_type") or "instance",
        "protocol_version": kwargs.get("protocol_version"),
        "health_check_protocol": kwargs.get("healthcheck_protocol"),
        "health_check_port": kwargs.get("healthcheck_port"),
        "health_check_path": kwargs.get("healthcheck_path"),
        "health_check_interval_seconds": kwargs.get("healthcheck_interval_seconds"),
        "health_check_timeout_seconds": kwargs.get("healthcheck_timeout_seconds"),
        "healthy_threshold_count": kwargs.get("healthy_threshold_count"),
        "unhealthy_threshold_count": kwargs.get("unhealthy_threshold_count"),
    }
    for attr, value in wanted.items():
        current = getattr(group, attr, None)
        if value is None:
            # Not given: AWS would apply the same defaults the existing group got, except
            # for the identifying settings, which must match exactly.
            if attr in _IDENTIFYING and current is not None:
                return False
            continue
        if str(current) != str(value):
            return False
    return True


def create_target_group(self: Any, name: str, **kwargs: Any) -> Any:
    """Idempotent for identical settings, like AWS."""
    for group in list(self.target_groups.values()):
        if group.name == name:
            if _same_settings(group, kwargs):
                return group
            raise DuplicateTargetGroupName()
    return _original_create_target_group(self, name, **kwargs)


def install() -> None:
    """Patch moto's ELBv2 backend."""
    ELBv2Backend.create_load_balancer = create_load_balancer
    ELBv2Backend.describe_rules = describe_rules
    ELBv2Backend.set_rule_priorities = set_rule_priorities
    ELBv2Backend.add_tags = add_tags
    ELBv2Backend.create_target_group = create_target_group
