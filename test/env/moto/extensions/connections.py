"""Endpoint connections seen from the service owner's side.

AWS behaviour reproduced: DescribeVpcEndpointConnections lists every endpoint (from any
account) connected to one of the caller's services, filtered by `service-id`,
`vpc-endpoint-id`, `vpc-endpoint-state`, `vpc-endpoint-owner`, `vpc-endpoint-region`,
`ip-address-type`, paginated by MaxResults/NextToken. Accept moves `pendingAcceptance` →
`available`; Reject moves `pendingAcceptance` or `available` → `rejected`; anything else is
an Unsuccessful item. DeleteVpcEndpointServiceConfigurations refuses a service that still
has `pendingAcceptance`/`available` connections (`ExistingVpcEndpointConnections`).

A connection is not stored separately: it *is* the consumer's endpoint (state shared both
ways), found through the service name.
"""

from typing import Any

from moto.core.responses import ActionResult
from moto.ec2.responses import EC2Response

from .common import LOCK, apply_filters, ec2_backends_in_region, paginate, unsuccessful

_ACTIVE_STATES = ("pendingAcceptance", "available")


def connected_endpoints(config: Any) -> list[Any]:
    """Every endpoint, in any account of the service's region, that targets `config`."""
    found = []
    for backend in ec2_backends_in_region(config.ec2_backend.region_name):
        for endpoint in list(backend.vpc_end_points.values()):
            if endpoint.service_name == config.service_name:
                found.append(endpoint)
    return found


def _connection(config: Any, endpoint: Any) -> dict[str, Any]:
    connection_id = endpoint.__dict__.setdefault(
        "_connection_id", "vpce-con-" + endpoint.id.removeprefix("vpce-")
    )
    return {
        "ServiceId": config.id,
        "VpcEndpointId": endpoint.id,
        "VpcEndpointOwner": endpoint.ec2_backend.account_id,
        "VpcEndpointState": endpoint.state,
        "CreationTimestamp": endpoint.creation_timestamp,
        "DnsEntries": endpoint.dns_entries,
        "NetworkLoadBalancerArns": list(config.network_load_balancer_arns),
        "GatewayLoadBalancerArns": list(config.gateway_load_balancer_arns),
        "IpAddressType": "ipv4",
        "VpcEndpointConnectionId": connection_id,
        "VpcEndpointRegion": endpoint.ec2_backend.region_name,
        "Tags": [],
    }


_CONNECTION_FILTERS = {
    "service-id": lambda c: [c["ServiceId"]],
    "vpc-endpoint-id": lambda c: [c["VpcEndpointId"]],
    "vpc-endpoint-state": lambda c: [c["VpcEndpointState"]],
    "vpc-endpoint-owner": lambda c: [c["VpcEndpointOwner"]],
    "vpc-endpoint-region": lambda c: [c["VpcEndpointRegion"]],
    "ip-address-type": lambda c: [c["IpAddressType"]],
}


def describe_vpc_endpoint_connections(self: Any) -> ActionResult:
    """DescribeVpcEndpointConnections over the caller's services."""
    connections = [
        _connection(config, endpoint)
        for config in list(self.ec2_backend.configurations.values())
        for endpoint in connected_endpoints(config)
    ]
    connections = apply_filters(connections, self._filters_from_querystring(), _CONNECTION_FILTERS)
    connections.sort(key=lambda c: (c["CreationTimestamp"], c["VpcEndpointId"]))
    page, token = paginate(
        connections, self._get_int_param("MaxResults"), self._get_param("NextToken"), minimum=5
    )
    return ActionResult({"VpcEndpointConnections": page, "NextToken": token})


def _decide(self: Any, allowed_from: tuple[str, ...], new_state: str, verb: str) -> ActionResult:
    service_id = self._get_param("ServiceId")
    config = self.ec2_backend.describe_vpc_endpoint_service_configurations([service_id])[0]
    failed = []
    with LOCK:
        by_id = {e.id: e for e in connected_endpoints(config)}
        for endpoint_id in self._get_param("VpcEndpointIds", []):
            endpoint = by_id.get(endpoint_id)
            if endpoint is None:
                failed.append(
                    unsuccessful(
                        endpoint_id,
                        "InvalidVpcEndpointId.NotFound",
                        f"The VpcEndpoint Id '{endpoint_id}' does not exist for service '{service_id}'",
                    )
                )
            elif endpoint.state not in allowed_from:
                failed.append(
                    unsuccessful(
                        endpoint_id,
                        "InvalidState",
                        f"Cannot {verb} endpoint {endpoint_id} in state {endpoint.state}",
                    )
                )
            else:
                endpoint.state = new_state
    return ActionResult({"Unsuccessful": failed})


def accept_vpc_endpoint_connections(self: Any) -> ActionResult:
    """AcceptVpcEndpointConnections: pendingAcceptance → available."""
    return _decide(self, ("pendingAcceptance",), "available", "accept")


def reject_vpc_endpoint_connections(self: Any) -> ActionResult:
    """RejectVpcEndpointConnections: pendingAcceptance or available → rejected."""
    return _decide(self, _ACTIVE_STATES, "rejected", "reject")


def delete_vpc_endpoint_service_configurations(self: Any) -> ActionResult:
    """Refuses services with live connections, like AWS; reports unknown ids."""
    failed = []
    deletable = []
    for service_id in self._get_param("ServiceIds", []):
        config = self.ec2_backend.configurations.get(service_id)
        if config is None:
            failed.append(
                unsuccessful(
                    service_id,
                    "InvalidVpcEndpointService.NotFound",
                    f"The VpcEndpointService Id '{service_id}' does not exist",
                )
            )
        elif any(e.state in _ACTIVE_STATES for e in connected_endpoints(config)):
            failed.append(
                unsuccessful(
                    service_id,
                    "ExistingVpcEndpointConnections",
                    f"Service {service_id} has existing active VPC Endpoint connections!",
                )
            )
        else:
            deletable.append(service_id)
    self.ec2_backend.delete_vpc_endpoint_service_configurations(deletable)
    return ActionResult({"Unsuccessful": failed})


def install() -> None:
    """Add the missing actions to moto's EC2 response class."""
    EC2Response.describe_vpc_endpoint_connections = describe_vpc_endpoint_connections
    EC2Response.accept_vpc_endpoint_connections = accept_vpc_endpoint_connections
    EC2Response.reject_vpc_endpoint_connections = reject_vpc_endpoint_connections
    EC2Response.delete_vpc_endpoint_service_configurations = (
        delete_vpc_endpoint_service_configurations
    )
