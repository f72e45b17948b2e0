"""Endpoint services as other accounts see them, their filters, and private DNS verification.

AWS behaviour reproduced:
- a service is visible to (found by DescribeVpcEndpointServices, usable by CreateVpcEndpoint)
  its owner and every account its allowed principals cover (`*`, or any IAM ARN of that
  account — moto does not know which principal inside an account is calling);
- DescribeVpcEndpointServices filters (`service-name`, `service-type`, `owner`,
  `service-region`, `supported-ip-address-types`, `tag:`, `tag-key`) instead of a 500;
- DescribeVpcEndpointServiceConfigurations honours its filters and pages (MaxResults/NextToken);
- load balancer ARNs given to Create/ModifyVpcEndpointServiceConfiguration must exist and be
  of the right type (network / gateway); removing one the service doesn't have, or the last
  one, is `InvalidParameter` (moto: 500 / accepted); the service's availability zones follow
  its load balancers; DescribeVpcEndpointServices gives their ids too (`AvailabilityZoneIds`,
  which moto leaves out and consumers in other accounts compare by);
- CreateVpcEndpointServiceConfiguration is idempotent per ClientToken (same parameters →
  the same service; other parameters → `IdempotentParameterMismatch`);
- DescribeVpcEndpointServicePermissions returns PrincipalType and ServicePermissionId and
  honours its filters (`principal`, `principal-type`, `service-permission-id`);
- a private DNS name starts `pendingVerification` with a random TXT record to publish;
  ModifyVpcEndpointServiceConfiguration(RemovePrivateDnsName) works;
- StartVpcEndpointServicePrivateDnsVerification checks for the TXT record in the account's
  Route 53 public hosted zones (moto's, standing in for public DNS): `verified` when it is
  there, `failed` when not; a new name starts over at `pendingVerification`.
"""

import secrets
import string
from typing import Any

from moto.core.responses import ActionResult
from moto.ec2.exceptions import InvalidServiceName
from moto.ec2.models import EC2Backend
from moto.ec2.models.vpc_service_configuration import VPCServiceConfiguration
from moto.ec2.responses import EC2Response
from moto.route53.models import route53_backends

from .common import (
    LOCK,
    apply_filters,
    client_error,
    ec2_backends_in_region,
    ec2_tags,
    paginate,
)


def principal_allows(principal: str, account_id: str) -> bool:
    """Whether an allowed-principal entry admits callers from `account_id`."""
    if principal == "*":
        return True
    parts = principal.split(":")
    # arn:aws:iam::<account>:root | :role/x | :user/x
    return len(parts) >= 6 and parts[2] == "iam" and parts[4] == account_id


def is_visible_to(config: VPCServiceConfiguration, account_id: str) -> bool:
    """The owner always sees its service; others only through its allowed principals."""
    if config.ec2_backend.account_id == account_id:
        return True
    return any(principal_allows(p, account_id) for p in config.principals)


def visible_services(backend: Any) -> list[VPCServiceConfiguration]:
    """Custom endpoint services in the caller's region that the caller may connect to."""
    found = []
    for other in ec2_backends_in_region(backend.region_name):
        for config in list(other.configurations.values()):
            if is_visible_to(config, backend.account_id):
                found.append(config)
    return found


def find_visible_service(backend: Any, service_name: str) -> VPCServiceConfiguration | None:
    """The custom service called `service_name` if the caller may see it."""
    for config in visible_services(backend):
        if config.service_name == service_name:
            return config
    return None


def is_aws_service_name(backend: Any, service_name: str) -> bool:
    """Whether `service_name` is one of the AWS-managed services moto knows (s3, ...)."""
    defaults = EC2Backend._collect_default_endpoint_services(
        backend.account_id, backend.region_name
    )
    return any(s["ServiceName"] == service_name for s in defaults)


def service_detail(config: VPCServiceConfiguration) -> dict[str, Any]:
    """ServiceDetail of a custom service, with the fields moto's to_dict leaves out."""
    detail = config.to_dict()
    detail["Tags"] = ec2_tags(config)
    detail["ServiceRegion"] = config.ec2_backend.region_name
    detail["SupportedIpAddressTypes"] = ["ipv4"]
    ids = {z.name: z.zone_id for z in config.ec2_backend.describe_availability_zones()}
    detail["AvailabilityZoneIds"] = [ids[z] for z in config.availability_zones if z in ids]
    if config.private_dns_name:
        detail["PrivateDnsNameVerificationState"] = private_dns_state(config)
    else:
        detail.pop("PrivateDnsName", None)
        detail["PrivateDnsNames"] = []
    return detail


_SERVICE_DETAIL_FILTERS = {
    "service-name": lambda s: [s["ServiceName"]],
    "service-type": lambda s: [t["ServiceType"] for t in s["ServiceType"]],
    "owner": lambda s: [s["Owner"]],
    "service-region": lambda s: [s.get("ServiceRegion", "")],
    "supported-ip-address-types": lambda s: s.get("SupportedIpAddressTypes", ["ipv4"]),
}


def describe_vpc_endpoint_services(
    self: Any,
    service_names: list[str],
    filters: Any,
    max_results: int,
    next_token: str | None,
    region: str,
) -> dict[str, Any]:
    """AWS services + own services + services shared with the caller, filtered."""
    # Details are built only for the services asked for by name (all when none is named):
    # the same answer, but a lookup by name no longer costs a detail per service in the
    # region (5 s per call at 1,000 services under load in the benchmark; AWS answers fast).
    wanted = set(service_names)

    def named(name: str) -> bool:
        return not wanted or name in wanted

    defaults = [
        {**s, "ServiceRegion": region, "SupportedIpAddressTypes": ["ipv4"]}
        for s in EC2Backend._collect_default_endpoint_services(self.account_id, region)
        if named(s["ServiceName"])
    ]
    services = defaults + [
        service_detail(c) for c in visible_services(self) if named(c.service_name)
    ]
    known = {s["ServiceName"] for s in services}
    for name in service_names:
        if name not in known:
            raise InvalidServiceName(name)
    by_name = {f["Name"]: f.get("Values", []) for f in filters or []}
    services = apply_filters(
        services, by_name, _SERVICE_DETAIL_FILTERS, lambda s: s.get("Tags", [])
    )
    services.sort(key=lambda s: s["ServiceName"])

    page, token = paginate(services, max_results, next_token)
    return {
        "servicesDetails": page,
        "serviceNames": [s["ServiceName"] for s in page],
        "nextToken": token,
    }


_CONFIGURATION_FILTERS = {
    "service-name": lambda c: [c.service_name],
    "service-id": lambda c: [c.id],
    "service-state": lambda c: [c.service_state],
    "supported-ip-address-types": lambda c: ["ipv4"],
}


def describe_vpc_endpoint_service_configurations_response(self: Any) -> ActionResult:
    """ServiceIds (moto) plus the filters and paging AWS documents."""
    service_ids = self._get_param("ServiceIds", [])
    configs = self.ec2_backend.describe_vpc_endpoint_service_configurations(service_ids)
    configs = apply_filters(
        configs, self._filters_from_querystring(), _CONFIGURATION_FILTERS, ec2_tags
    )
    page, token = paginate(
        configs, self._get_int_param("MaxResults"), self._get_param("NextToken"), minimum=5
    )
    return ActionResult({"ServiceConfigurations": page, "NextToken": token})


def _random_token(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def private_dns_state(config: VPCServiceConfiguration) -> str:
    """`pendingVerification` until a verification was started for the current name."""
    states = config.__dict__.get("_dns_states", {})
    return states.get(config.private_dns_name, "pendingVerification")


def _txt_published(account_id: str, fqdn: str, value: str) -> bool:
    """Whether a public hosted zone of the account holds TXT `fqdn` with `value`."""
    want = fqdn.rstrip(".").lower()
    for zone in route53_backends[account_id]["global"].zones.values():
        if zone.private_zone:
            continue
        for rrset in zone.rrsets:
            if rrset.type != "TXT" or rrset.name.rstrip(".").lower() != want:
                continue
            for record in rrset.records:
                text = record.get("Value", "") if isinstance(record, dict) else str(record)
                if text.strip('"') == value:
                    return True
    return False


def start_private_dns_verification_response(self: Any) -> ActionResult:
    """AWS looks the TXT record up in public DNS; here, in the account's Route 53 zones."""
    service_id = self._get_param("ServiceId")
    with LOCK:
        config = self.ec2_backend.configurations.get(service_id)
        if config is None:
            raise client_error(
                "InvalidVpcEndpointServiceId.NotFound",
                f"The VpcEndpointService Id '{service_id}' does not exist",
            )
        if not config.private_dns_name:
            raise client_error(
                "InvalidParameter",
                f"The VpcEndpointService '{service_id}' has no private DNS name",
            )
        record = private_dns_name_configuration(config)
        fqdn = f"{record['Name']}.{config.private_dns_name}"
        verified = _txt_published(self.current_account, fqdn, record["Value"])
        states = config.__dict__.setdefault("_dns_states", {})
        states[config.private_dns_name] = "verified" if verified else "failed"
    return ActionResult({"ReturnValue": True})


def private_dns_name_configuration(self: VPCServiceConfiguration) -> dict[str, str]:
    """A TXT record to publish, stable per (service, name); a new name gets a new record."""
    if not self.private_dns_name:
        return {}
    records = self.__dict__.setdefault("_txt_records", {})
    if self.private_dns_name not in records:
        records[self.private_dns_name] = (
            "_" + _random_token(string.ascii_lowercase + string.digits, 20),
            "vpce:" + _random_token(string.ascii_letters + string.digits, 20),
        )
    name, value = records[self.private_dns_name]
    return {"State": private_dns_state(self), "Type": "TXT", "Name": name, "Value": value}


def principal_type(principal: str) -> str:
    """AWS's PrincipalType of an allowed principal."""
    if principal == "*":
        return "All"
    if principal.endswith(":root"):
        return "Account"
    for marker, kind in ((":role/", "Role"), (":user/", "User")):
        if marker in principal:
            return kind
    return "Service"


def allowed_principal(config: VPCServiceConfiguration, principal: str) -> dict[str, str]:
    """One AllowedPrincipal with the id AWS gives each permission (stable per principal)."""
    ids = config.__dict__.setdefault("_permission_ids", {})
    if principal not in ids:
        ids[principal] = "vpce-svc-perm-" + _random_token(
            string.ascii_lowercase + string.digits, 17
        )
    return {
        "Principal": principal,
        "PrincipalType": principal_type(principal),
        "ServicePermissionId": ids[principal],
        "ServiceId": config.id,
    }


_PERMISSION_FILTERS = {
    "principal": lambda p: [p["Principal"]],
    "principal-type": lambda p: [p["PrincipalType"]],
    "service-permission-id": lambda p: [p["ServicePermissionId"]],
}


def describe_vpc_endpoint_service_permissions_response(self: Any) -> ActionResult:
    """Principals with PrincipalType and ServicePermissionId, filtered, in a stable order."""
    config = self.ec2_backend.describe_vpc_endpoint_service_configurations(
        [self._get_param("ServiceId")]
    )[0]
    allowed = [allowed_principal(config, p) for p in sorted(config.principals)]
    allowed = apply_filters(allowed, self._filters_from_querystring(), _PERMISSION_FILTERS)
    return ActionResult({"AllowedPrincipals": allowed})


_original_modify_configuration = EC2Response.modify_vpc_endpoint_service_configuration
_original_create_configuration = EC2Response.create_vpc_endpoint_service_configuration


def _configuration_request_signature(self: Any) -> tuple[Any, ...]:
    tags = [
        (t["Key"], t["Value"])
        for spec in self._get_param("TagSpecifications", [])
        for t in spec.get("Tags", [])
    ]
    acceptance = self._get_param("AcceptanceRequired")
    return (
        frozenset(self._get_param("NetworkLoadBalancerArns", [])),
        frozenset(self._get_param("GatewayLoadBalancerArns", [])),
        True if acceptance is None else str(acceptance).lower() == "true",
        self._get_param("PrivateDnsName"),
        frozenset(self._get_param("SupportedRegions", [])),
        frozenset(tags),
    )


def _check_load_balancers(backend: Any, arns: list[str], lb_type: str) -> None:
    load_balancers = backend.elbv2_backend.load_balancers
    for arn in arns:
        lb = load_balancers.get(arn)
        if lb is None or lb.type != lb_type:
            raise client_error(
                "InvalidParameter", f"{arn} is not the ARN of an existing {lb_type} load balancer."
            )


def _refresh_availability_zones(backend: Any, config: VPCServiceConfiguration) -> None:
    """A service is offered in the zones of its load balancers (each zone once)."""
    arns = config.network_load_balancer_arns + config.gateway_load_balancer_arns
    load_balancers = backend.elbv2_backend.load_balancers
    zones = {
        s.availability_zone for a in arns if a in load_balancers for s in load_balancers[a].subnets
    }
    config.availability_zones = sorted(zones)


_original_modify_backend = EC2Backend.modify_vpc_endpoint_service_configuration


def modify_vpc_endpoint_service_configuration(
    self: Any,
    service_id: str,
    acceptance_required: str | None,
    private_dns_name: str | None,
    add_network_lbs: list[str],
    remove_network_lbs: list[str],
    add_gateway_lbs: list[str],
    remove_gateway_lbs: list[str],
    add_supported_regions: list[str],
    remove_supported_regions: list[str],
) -> None:
    """moto's modify with AWS's load balancer checks; availability zones follow the NLBs."""
    config = self.describe_vpc_endpoint_service_configurations([service_id])[0]
    _check_load_balancers(self, add_network_lbs, "network")
    _check_load_balancers(self, add_gateway_lbs, "gateway")
    for arn in remove_network_lbs + remove_gateway_lbs:
        if arn not in config.network_load_balancer_arns + config.gateway_load_balancer_arns:
            raise client_error(
                "InvalidParameter", f"Load balancer {arn} is not associated with {service_id}."
            )
    kept = [
        a
        for a in config.network_load_balancer_arns + config.gateway_load_balancer_arns
        if a not in remove_network_lbs + remove_gateway_lbs
    ]
    if not kept + add_network_lbs + add_gateway_lbs:
        raise client_error(
            "InvalidParameter", "An endpoint service must have at least one load balancer."
        )
    with LOCK:
        _original_modify_backend(
            self,
            service_id,
            acceptance_required,
            private_dns_name,
            [a for a in dict.fromkeys(add_network_lbs) if a not in kept],
            list(dict.fromkeys(remove_network_lbs)),
            [a for a in dict.fromkeys(add_gateway_lbs) if a not in kept],
            list(dict.fromkeys(remove_gateway_lbs)),
            add_supported_regions,
            remove_supported_regions,
        )
        _refresh_availability_zones(self, config)


def create_vpc_endpoint_service_configuration_response(self: Any) -> ActionResult:
    """Idempotent per ClientToken like AWS: same token and parameters → the same service;
    same token, other parameters → IdempotentParameterMismatch."""
    token = self._get_param("ClientToken")
    signature = _configuration_request_signature(self)
    with LOCK:
        for config in list(self.ec2_backend.configurations.values()):
            if token and config.__dict__.get("_client_token") == token:
                if config.__dict__.get("_request_signature") != signature:
                    raise client_error(
                        "IdempotentParameterMismatch",
                        "The client token you have provided is associated with a resource "
                        "that has different parameters.",
                    )
                return ActionResult({"ServiceConfiguration": config, "ClientToken": token})
        _check_load_balancers(
            self.ec2_backend, self._get_param("NetworkLoadBalancerArns", []), "network"
        )
        _check_load_balancers(
            self.ec2_backend, self._get_param("GatewayLoadBalancerArns", []), "gateway"
        )
        result = _original_create_configuration(self)
        config = result.result["ServiceConfiguration"]
        _refresh_availability_zones(self.ec2_backend, config)
        config._client_token = token
        config._request_signature = signature
    if token:
        result.result["ClientToken"] = token
    return result


def modify_vpc_endpoint_service_configuration_response(self: Any) -> ActionResult:
    """moto's handler, plus RemovePrivateDnsName which it ignores."""
    result = _original_modify_configuration(self)
    if self._get_bool_param("RemovePrivateDnsName", False):
        config = self.ec2_backend.describe_vpc_endpoint_service_configurations(
            [self._get_param("ServiceId")]
        )[0]
        config.private_dns_name = None
    return result


def install() -> None:
    """Patch moto's classes."""
    EC2Backend.describe_vpc_endpoint_services = describe_vpc_endpoint_services
    EC2Response.describe_vpc_endpoint_service_configurations = (
        describe_vpc_endpoint_service_configurations_response
    )
    EC2Backend.modify_vpc_endpoint_service_configuration = modify_vpc_endpoint_service_configuration
    EC2Response.create_vpc_endpoint_service_configuration = (
        create_vpc_endpoint_service_configuration_response
    )
    EC2Response.describe_vpc_endpoint_service_permissions = (
        describe_vpc_endpoint_service_permissions_response
    )
    EC2Response.modify_vpc_endpoint_service_configuration = (
        modify_vpc_endpoint_service_configuration_response
    )
    VPCServiceConfiguration.private_dns_name_configuration = property(
        private_dns_name_configuration
    )
    EC2Response.start_vpc_endpoint_service_private_dns_verification = (
        start_private_dns_verification_response
    )
