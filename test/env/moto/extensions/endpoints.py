"""Interface endpoint lifecycle: CreateVpcEndpoint, ModifyVpcEndpoint, DeleteVpcEndpoints,
DescribeVpcEndpoints filters.

AWS behaviour reproduced:
- the service name must exist and be visible to the caller, else `InvalidServiceName`;
- an endpoint to a service with AcceptanceRequired starts `pendingAcceptance` (also from
  the owner's own account), otherwise `available`;
- subnets must be in the endpoint's VPC, one per Availability Zone
  (`DuplicateSubnetsInSameZone`), in a zone the service is offered in; security groups
  must exist in the VPC; none given → the VPC's default group;
- one ENI per subnet (see endpoint_enis); ModifyVpcEndpoint Add/RemoveSubnetIds creates
  and deletes ENIs, Add/RemoveSecurityGroupIds changes the endpoint's and its ENIs' groups;
- DeleteVpcEndpoints removes the ENIs and the endpoint (it is no longer described) and
  reports unknown ids as Unsuccessful;
- ClientToken makes CreateVpcEndpoint idempotent: same token and same parameters → the
  same endpoint; same token, other parameters → `IdempotentParameterMismatch`;
- PrivateDnsEnabled defaults to true only for services with a private DNS name; an explicit
  true (CreateVpcEndpoint or ModifyVpcEndpoint) for a service without one, or whose name is
  not verified, or in a VPC without both enableDnsSupport and enableDnsHostnames →
  `InvalidParameter`; ModifyVpcEndpoint's PrivateDnsEnabled turns it on and off;
- DescribeVpcEndpoints pages (MaxResults/NextToken) and filters `vpc-endpoint-id`, `service-name`, `vpc-id`,
  `vpc-endpoint-state`, `vpc-endpoint-type`, `ip-address-type`, `tag:`, `tag-key`.
"""

from typing import Any

from moto.core.responses import ActionResult
from moto.ec2.exceptions import InvalidSecurityGroupNotFoundError, InvalidServiceName
from moto.ec2.models import EC2Backend
from moto.ec2.models.vpcs import VPCEndPoint
from moto.ec2.responses import EC2Response

from . import endpoint_enis
from .common import LOCK, client_error, paginate, unsuccessful
from .endpoint_services import find_visible_service, is_aws_service_name, private_dns_state

_original_create = EC2Backend.create_vpc_endpoint
_original_create_response = EC2Response.create_vpc_endpoint
_original_modify_response = EC2Response.modify_vpc_endpoint
_original_get_filter_value = VPCEndPoint.get_filter_value


def _is_interface(endpoint_type: str | None) -> bool:
    return (endpoint_type or "Gateway").lower() == "interface"


def _check_subnets(backend: Any, vpc_id: str, subnet_ids: list[str], service: Any) -> None:
    zones: dict[str, str] = {}
    for subnet_id in subnet_ids:
        subnet = backend.get_subnet(subnet_id)
        if subnet.vpc_id != vpc_id:
            raise client_error(
                "InvalidParameter",
                f"The subnet ID '{subnet_id}' does not belong to VPC '{vpc_id}'.",
            )
        zone = subnet.availability_zone
        if zone in zones and zones[zone] != subnet_id:
            raise client_error(
                "DuplicateSubnetsInSameZone",
                f"Found another VPC endpoint subnet in the availability zone of {subnet_id}. "
                "VPC endpoint subnets should be in different availability zones supported by "
                "the VPC endpoint service.",
            )
        zones[zone] = subnet_id
        if service is not None and zone not in service.availability_zones:
            raise client_error(
                "InvalidParameter",
                f"The VPC endpoint service {service.service_name} does not support the "
                f"availability zone of the subnet: {subnet_id}.",
            )


def _check_security_groups(backend: Any, vpc_id: str, group_ids: list[str]) -> None:
    for group_id in group_ids:
        group = backend.get_security_group_from_id(group_id)
        if group is None:
            raise InvalidSecurityGroupNotFoundError(group_id)
        if group.vpc_id != vpc_id:
            raise client_error(
                "InvalidParameter",
                f"The security group '{group_id}' does not belong to VPC '{vpc_id}'.",
            )


def _resolve_service(backend: Any, service_name: str) -> Any:
    """The custom service behind `service_name` (None for an AWS service); raises if unknown."""
    service = find_visible_service(backend, service_name)
    if service is None and not is_aws_service_name(backend, service_name):
        raise InvalidServiceName(service_name)
    return service


def _request_signature(**params: Any) -> tuple[Any, ...]:
    return (
        params["vpc_id"],
        params["service_name"],
        (params["endpoint_type"] or "Gateway").lower(),
        frozenset(params["subnet_ids"] or []),
        frozenset(params["security_group_ids"] or []),
        frozenset(params["route_table_ids"] or []),
        params["policy_document"],
    )


def create_vpc_endpoint(
    self: Any,
    vpc_id: str,
    service_name: str,
    endpoint_type: str | None,
    policy_document: str | None,
    route_table_ids: list[str],
    subnet_ids: list[str] | None = None,
    network_interface_ids: list[str] | None = None,
    dns_entries: dict[str, str] | None = None,
    client_token: str | None = None,
    security_group_ids: list[str] | None = None,
    tags: dict[str, str] | None = None,
    private_dns_enabled: bool | None = None,
) -> Any:
    """Validated, idempotent CreateVpcEndpoint with AWS-like ENIs and initial state."""
    params = dict(
        vpc_id=vpc_id,
        service_name=service_name,
        endpoint_type=endpoint_type,
        subnet_ids=subnet_ids,
        security_group_ids=security_group_ids,
        route_table_ids=route_table_ids,
        policy_document=policy_document,
    )
    with LOCK:
        if client_token:
            for existing in self.vpc_end_points.values():
                if existing.client_token == client_token:
                    if existing.__dict__.get("_request_signature") != _request_signature(**params):
                        raise client_error(
                            "IdempotentParameterMismatch",
                            "The client token you have provided is associated with a resource "
                            "that has different parameters.",
                        )
                    return existing
        self.get_vpc(vpc_id)
        service = _resolve_service(self, service_name)
        if not _is_interface(endpoint_type):
            gateway = _original_create(
                self,
                vpc_id,
                service_name,
                endpoint_type,
                policy_document,
                route_table_ids,
                subnet_ids,
                network_interface_ids,
                dns_entries,
                client_token,
                security_group_ids,
                tags,
                private_dns_enabled,
            )
            gateway._request_signature = _request_signature(**params)
            return gateway
        subnet_ids = list(dict.fromkeys(subnet_ids or []))
        _check_subnets(self, vpc_id, subnet_ids, service)
        group_ids = list(dict.fromkeys(security_group_ids or []))
        _check_security_groups(self, vpc_id, group_ids)
        if not group_ids:
            group_ids = [self.get_default_security_group(vpc_id).id]
        # moto would give each subnet a random-address ENI; we create them ourselves.
        endpoint = _original_create(
            self,
            vpc_id,
            service_name,
            endpoint_type,
            policy_document,
            route_table_ids,
            [],
            None,
            None,
            client_token,
            group_ids,
            tags,
            private_dns_enabled,
        )
        endpoint.subnet_ids = subnet_ids
        try:
            for subnet_id in subnet_ids:
                eni = endpoint_enis.create_endpoint_eni(self, endpoint, subnet_id)
                endpoint.network_interface_ids.append(eni.id)
        except Exception:
            delete_vpc_endpoints(self, [endpoint.id])  # all or nothing, like AWS
            raise
        endpoint.state = (
            "pendingAcceptance"
            if service is not None and service.acceptance_required
            else "available"
        )
        endpoint._request_signature = _request_signature(**params)
        return endpoint


def _is_true(value: Any) -> bool:
    return str(value).lower() == "true"


def _check_private_dns(backend: Any, vpc_id: str, service: Any) -> None:
    """What AWS requires before an endpoint may have PrivateDnsEnabled (explicitly) true."""
    if service is None:
        return  # an AWS service: always has its name
    if not service.private_dns_name:
        raise client_error(
            "InvalidParameter",
            f"Private DNS can't be enabled because the service {service.service_name} does "
            "not provide a private DNS name.",
        )
    if private_dns_state(service) != "verified":
        raise client_error(
            "InvalidParameter",
            f"Private DNS can't be enabled because the private DNS name of "
            f"{service.service_name} is not verified.",
        )
    vpc = backend.get_vpc(vpc_id)
    if not (_is_true(vpc.enable_dns_support) and _is_true(vpc.enable_dns_hostnames)):
        raise client_error(
            "InvalidParameter",
            "Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC "
            f"attributes set to true for {vpc_id}",
        )


def _default_private_dns(self: Any) -> None:
    # moto defaults PrivateDnsEnabled to true; AWS does so only for services that have a
    # private DNS name, and refuses an explicit true it cannot honour.
    service = find_visible_service(self.ec2_backend, self._get_param("ServiceName"))
    requested = self._get_param("PrivateDnsEnabled")
    if requested is None:
        if service is not None and not service.private_dns_name:
            self.params["PrivateDnsEnabled"] = False
    elif _is_true(requested):
        _check_private_dns(self.ec2_backend, self._get_param("VpcId"), service)


def modify_vpc_endpoint_response(self: Any) -> ActionResult:
    """moto's handler, plus PrivateDnsEnabled (checked before anything changes)."""
    requested = self._get_param("PrivateDnsEnabled")
    endpoint = self.ec2_backend.get_vpc_end_point(self._get_param("VpcEndpointId"))
    if requested is not None and _is_true(requested):
        service = find_visible_service(self.ec2_backend, endpoint.service_name)
        _check_private_dns(self.ec2_backend, endpoint.vpc_id, service)
    result = _original_modify_response(self)
    if requested is not None:
        endpoint.private_dns_enabled = _is_true(requested)
    return result


def create_vpc_endpoint_response(self: Any) -> ActionResult:
    """moto's handler with AWS's PrivateDnsEnabled default, echoing the ClientToken."""
    _default_private_dns(self)
    result = _original_create_response(self)
    token = self._get_param("ClientToken")
    if token:
        result.result["ClientToken"] = token
    return result


def _modify_subnets(backend: Any, endpoint: Any, add: list[str], remove: list[str]) -> None:
    kept = [s for s in endpoint.subnet_ids if s not in remove]
    added = [s for s in dict.fromkeys(add) if s not in kept]
    service = find_visible_service(backend, endpoint.service_name)
    _check_subnets(backend, endpoint.vpc_id, kept + added, service)
    for eni_id in list(endpoint.network_interface_ids):
        eni = backend.enis.get(eni_id)
        if eni is None or eni.subnet.id in remove:
            endpoint_enis.delete_endpoint_eni(backend, eni_id)
            endpoint.network_interface_ids.remove(eni_id)
    for subnet_id in added:
        eni = endpoint_enis.create_endpoint_eni(backend, endpoint, subnet_id)
        endpoint.network_interface_ids.append(eni.id)
    endpoint.subnet_ids = kept + added


def _modify_groups(backend: Any, endpoint: Any, add: list[str], remove: list[str]) -> None:
    _check_security_groups(backend, endpoint.vpc_id, add)
    groups = [g for g in endpoint.security_group_ids if g not in remove]
    groups += [g for g in dict.fromkeys(add) if g not in groups]
    if not groups:
        raise client_error(
            "InvalidParameter", "An interface endpoint must have at least one security group."
        )
    endpoint.security_group_ids = groups
    endpoint_enis.set_groups(backend, endpoint.network_interface_ids, groups)


def modify_vpc_endpoint(
    self: Any,
    vpc_id: str,
    policy_doc: str,
    add_subnets: list[str] | None,
    remove_subnets: list[str] | None,
    remove_route_tables: list[str] | None,
    add_route_tables: list[str] | None,
    add_security_groups: list[str] | None,
    remove_security_groups: list[str] | None,
) -> None:
    """ModifyVpcEndpoint whose subnet and group changes reach the ENIs. `vpc_id` is the
    endpoint id (moto's parameter name)."""
    with LOCK:
        endpoint = self.get_vpc_end_point(vpc_id)
        if _is_interface(endpoint.vpc_endpoint_type):
            if add_subnets or remove_subnets:
                _modify_subnets(self, endpoint, add_subnets or [], remove_subnets or [])
            if add_security_groups or remove_security_groups:
                _modify_groups(
                    self, endpoint, add_security_groups or [], remove_security_groups or []
                )
        endpoint.modify(policy_doc, None, None, add_route_tables, remove_route_tables, None, None)


def delete_vpc_endpoints(self: Any, vpce_ids: list[str] | None = None) -> list[str]:
    """Deletes endpoints with their ENIs (gateway: their routes); returns unknown ids."""
    missing = []
    with LOCK:
        for vpce_id in vpce_ids or []:
            endpoint = self.vpc_end_points.pop(vpce_id, None)
            if endpoint is None:
                missing.append(vpce_id)
                continue
            if _is_interface(endpoint.vpc_endpoint_type):
                for eni_id in endpoint.network_interface_ids:
                    endpoint_enis.delete_endpoint_eni(self, eni_id)
            else:
                for route_table_id in endpoint.route_table_ids:
                    self.delete_route(route_table_id, endpoint.destination_prefix_list_id)
            endpoint.state = "deleted"
    return missing


def delete_vpc_endpoints_response(self: Any) -> ActionResult:
    """Unknown ids come back as Unsuccessful items, like AWS."""
    missing = self.ec2_backend.delete_vpc_endpoints(vpce_ids=self._get_param("VpcEndpointIds", []))
    items = [
        unsuccessful(m, "InvalidVpcEndpoint.NotFound", f"The VPC endpoint '{m}' does not exist")
        for m in missing
    ]
    return ActionResult({"Unsuccessful": items})


_ENDPOINT_FILTERS = {
    "vpc-endpoint-id": lambda e: e.id,
    "service-name": lambda e: e.service_name,
    "vpc-id": lambda e: e.vpc_id,
    "ip-address-type": lambda e: "ipv4",
}


def get_filter_value(self: Any, filter_name: str, method_name: str | None = None) -> Any:
    """Filter values moto's VPCEndPoint lacks (`vpc-endpoint-id` was a 500)."""
    if filter_name in _ENDPOINT_FILTERS:
        return _ENDPOINT_FILTERS[filter_name](self)
    return _original_get_filter_value(self, filter_name, method_name)


def describe_vpc_endpoints_response(self: Any) -> ActionResult:
    """moto's ids and filters, plus MaxResults/NextToken paging."""
    endpoints = self.ec2_backend.describe_vpc_endpoints(
        vpc_end_point_ids=self._get_param("VpcEndpointIds", []),
        filters=self._filters_from_querystring(),
    )
    page, token = paginate(
        endpoints, self._get_int_param("MaxResults"), self._get_param("NextToken")
    )
    return ActionResult({"VpcEndpoints": page, "NextToken": token})


def install() -> None:
    """Patch moto's classes."""
    EC2Backend.create_vpc_endpoint = create_vpc_endpoint
    EC2Backend.modify_vpc_endpoint = modify_vpc_endpoint
    EC2Backend.delete_vpc_endpoints = delete_vpc_endpoints
    EC2Response.create_vpc_endpoint = create_vpc_endpoint_response
    EC2Response.modify_vpc_endpoint = modify_vpc_endpoint_response
    EC2Response.delete_vpc_endpoints = delete_vpc_endpoints_response
    EC2Response.describe_vpc_endpoints = describe_vpc_endpoints_response
    VPCEndPoint.get_filter_value = get_filter_value
