"""API Gateway v2 VPC links and private integrations as AWS does them.

AWS behaviour reproduced:
- a new VPC link (V2) is `PENDING` while API Gateway makes its network interfaces (minutes on
  AWS), then `AVAILABLE`; here `PENDING` for `VPC_LINK_PENDING_SECONDS` after the create;
- CreateVpcLink needs subnets and security groups that exist in the account and region
  (`BadRequestException`);
- an integration with `ConnectionType` `VPC_LINK` (Create and Update, judged on the merged
  result) needs a `ConnectionId` naming an existing VPC link and, for an HTTP API, an
  `IntegrationUri` that is the ARN of an existing ALB or NLB listener (Cloud Map services are
  not modelled) (`BadRequestException`); `INTERNET` needs no connection id.

moto 5.2.5 alone: every link `AVAILABLE` at once; any subnet and group ids; integrations
accepted whatever their connection id and URI.
"""

import time
from typing import Any

from moto.apigatewayv2.exceptions import BadRequestException
from moto.apigatewayv2.models import Api, ApiGatewayV2Backend, VpcLink
from moto.ec2.models import ec2_backends
from moto.elbv2.models import elbv2_backends

from .common import LOCK

VPC_LINK_PENDING_SECONDS = 2.0

_create_vpc_link = ApiGatewayV2Backend.create_vpc_link
_vpc_link_to_json = VpcLink.to_json
_create_integration = Api.create_integration
_update_integration = Api.update_integration


def _check_network(backend: ApiGatewayV2Backend, subnet_ids: list[str], sg_ids: list[str]) -> None:
    ec2 = ec2_backends[backend.account_id][backend.region_name]
    for subnet_id in subnet_ids or []:
        try:
            ec2.get_subnet(subnet_id)
        except Exception as err:
            raise BadRequestException(f"Subnet {subnet_id} not found") from err
    for group_id in sg_ids or []:
        if ec2.get_security_group_from_id(group_id) is None:
            raise BadRequestException(f"Security group {group_id} not found")


def create_vpc_link(
    self: ApiGatewayV2Backend, name: str, sg_ids: list[str], subnet_ids: list[str], tags: dict[str, str]
) -> VpcLink:
    """Checks the subnets and groups; the link is PENDING for a moment."""
    with LOCK:
        _check_network(self, subnet_ids, sg_ids)
        link = _create_vpc_link(self, name, sg_ids=sg_ids, subnet_ids=subnet_ids, tags=tags)
        link.available_at = time.monotonic() + VPC_LINK_PENDING_SECONDS  # type: ignore[attr-defined]
        return link


def vpc_link_to_json(self: VpcLink) -> dict[str, Any]:
    """PENDING until its time has come, then AVAILABLE."""
    out = _vpc_link_to_json(self)
    if time.monotonic() < getattr(self, "available_at", 0.0):
        out["vpcLinkStatus"] = "PENDING"
        out["vpcLinkStatusMessage"] = "VPC link is provisioning ENIs"
    return out


def _listener_exists(account_id: str, region: str, arn: str) -> bool:
    elbv2 = elbv2_backends[account_id][region]
    return any(arn in lb.listeners for lb in elbv2.load_balancers.values())


def _check_private(api: Api, connection_type: str | None, connection_id: str | None, uri: str | None) -> None:
    if connection_type != "VPC_LINK":
        return
    backend = api.backend  # type: ignore[attr-defined]
    if not connection_id or connection_id not in backend.vpc_links:
        raise BadRequestException(f"Invalid VPC link id {connection_id} specified")
    if api.protocol_type == "HTTP" and not (
        uri and ":listener/" in uri and _listener_exists(backend.account_id, backend.region_name, uri)
    ):
        raise BadRequestException(
            f"Invalid integration URI {uri}: for a private integration, an existing ALB or NLB listener ARN"
        )


def create_integration(self: Api, **kwargs: Any) -> Any:
    """Judges a VPC_LINK integration before creating it."""
    with LOCK:
        _check_private(self, kwargs.get("connection_type"), kwargs.get("connection_id"), kwargs.get("integration_uri"))
        return _create_integration(self, **kwargs)


def update_integration(self: Api, integration_id: str, **kwargs: Any) -> Any:
    """Judges the integration as it would be after the update; unchanged when refused."""
    with LOCK:
        current = self.get_integration(integration_id)

        def merged(field: str) -> Any:
            given = kwargs.get(field)
            return given if given is not None else getattr(current, field)

        _check_private(self, merged("connection_type"), merged("connection_id"), merged("integration_uri"))
        return _update_integration(self, integration_id=integration_id, **kwargs)


def install() -> None:
    """Patch the backend, the link's JSON and the API's integration methods."""
    ApiGatewayV2Backend.create_vpc_link = create_vpc_link  # type: ignore[method-assign]
    VpcLink.to_json = vpc_link_to_json  # type: ignore[method-assign]
    Api.create_integration = create_integration  # type: ignore[method-assign]
    Api.update_integration = update_integration  # type: ignore[method-assign]
