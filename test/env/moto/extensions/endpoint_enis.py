"""Network interfaces of interface endpoints, as AWS creates them.

AWS behaviour reproduced: one requester-managed ENI per endpoint subnet, its private IP
picked at random from the subnet's CIDR (never the network address, the three addresses
AWS reserves after it, or the broadcast address; never an address already in use), and
carrying the endpoint's security groups. moto gives a random 10.x address outside the
subnet and the VPC's default group.
"""

import ipaddress
import random
from typing import Any

from .common import client_error

_RESERVED_AT_START = 4  # network address + VPC router, DNS, future use
_RANDOM_TRIES = 64


def _addresses_in_use(backend: Any, subnet: Any) -> set[str]:
    used = set(subnet._subnet_ips)
    for eni in list(backend.enis.values()):
        if eni.subnet is not None and eni.subnet.id == subnet.id:
            used.update(a["PrivateIpAddress"] for a in eni.private_ip_addresses)
            if eni.private_ip_address:
                used.add(eni.private_ip_address)
    return used


def allocate_ip(backend: Any, subnet: Any) -> str:
    """A free address in `subnet`, chosen at random like AWS does."""
    network = ipaddress.ip_network(subnet.cidr_block)
    first = int(network.network_address) + _RESERVED_AT_START
    last = int(network.broadcast_address) - 1
    used = _addresses_in_use(backend, subnet)
    for _ in range(_RANDOM_TRIES):
        candidate = str(ipaddress.ip_address(random.randint(first, last)))
        if candidate not in used:
            return candidate
    free = [str(ipaddress.ip_address(i)) for i in range(first, last + 1)]
    free = [ip for ip in free if ip not in used]
    if not free:
        raise client_error(
            "InsufficientFreeAddressesInSubnet",
            f"The specified subnet {subnet.id} does not have enough free addresses to satisfy the request.",
        )
    return random.choice(free)


def create_endpoint_eni(backend: Any, endpoint: Any, subnet_id: str) -> Any:
    """Creates the ENI of `endpoint` in `subnet_id` with the endpoint's security groups."""
    subnet = backend.get_subnet(subnet_id)
    ip = allocate_ip(backend, subnet)
    eni = backend.create_network_interface(
        subnet,
        ip,
        group_ids=list(endpoint.security_group_ids),
        description=f"VPC Endpoint Interface {endpoint.id}",
    )
    eni.interface_type = "vpc_endpoint"
    eni.requester_managed = True
    eni.status = "in-use"
    subnet._subnet_ips[ip] = eni
    return eni


def delete_endpoint_eni(backend: Any, eni_id: str) -> None:
    """Deletes an endpoint ENI and frees its address."""
    eni = backend.enis.pop(eni_id, None)
    if eni is not None and eni.subnet is not None:
        eni.subnet._subnet_ips.pop(eni.private_ip_address, None)


def set_groups(backend: Any, eni_ids: list[str], group_ids: list[str]) -> None:
    """Replaces the security groups of the given ENIs."""
    groups = [backend.get_security_group_from_id(g) for g in group_ids]
    for eni_id in eni_ids:
        eni = backend.enis.get(eni_id)
        if eni is not None:
            eni._group_set = list(groups)
