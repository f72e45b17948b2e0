"""Route 53 as AWS does it: zone ids, and record set deletion only of an exact match.

AWS behaviour reproduced:
- hosted zone ids start with `Z` (`Z1D633PJN98FT9`, `Z0123456789ABCDEFGHIJ`); moto's are
  random uppercase letters and digits, so an id checked by format would be refused;
- ChangeResourceRecordSets DELETE removes a record set only when the request names it
  exactly as it is (name, type, set identifier, TTL and every value); a record set that is
  not there → `InvalidChangeBatch` "Tried to delete resource record set [name='…', type='…']
  but it was not found"; other values or TTL → `InvalidChangeBatch` "… but the values
  provided do not match the current values". The batch is checked before any change.

moto 5.2.5 alone: zone ids of any first letter; it deletes every record set of that name and type whatever values the request
names (once any CREATE/UPSERT with those values was ever sent), and answers a record never
written with `InvalidInput`.
"""

from typing import Any

from moto.route53.exceptions import Route53ClientError
from moto.route53.models import FakeZone, RecordSet, Route53Backend, HostedZoneIdentifier

from .common import LOCK

_change_resource_record_sets = Route53Backend.change_resource_record_sets
_generate_zone_id = HostedZoneIdentifier.generate


def generate_zone_id(self: HostedZoneIdentifier, existing_ids: Any = None, tags: Any = None) -> str:
    """moto's random id with AWS's leading `Z`."""
    return "Z" + _generate_zone_id(self, existing_ids=existing_ids, tags=tags)[1:]


class InvalidChangeBatch(Route53ClientError):
    """Route 53's refusal of a change batch, with AWS's message."""

    def __init__(self, message: str) -> None:
        super().__init__("InvalidChangeBatch", message)


def _fqdn(name: str) -> str:
    return name.rstrip(".").lower() + "."


def _values(records: Any) -> list[str]:
    """Values of ResourceRecords as the request ([{Value}]) or the model ([str]) holds them."""
    return sorted(r["Value"] if isinstance(r, dict) else str(r) for r in (records or []))


def _find(zone: FakeZone, wanted: dict[str, Any]) -> RecordSet | None:
    for rrset in zone.rrsets:
        if (
            _fqdn(rrset.name) == _fqdn(wanted["Name"])
            and rrset.type == wanted.get("Type")
            and rrset.set_identifier == wanted.get("SetIdentifier")
        ):
            return rrset
    return None


def _check_delete(zone: FakeZone, wanted: dict[str, Any]) -> None:
    label = f"[name='{_fqdn(wanted['Name'])}', type='{wanted.get('Type')}']"
    found = _find(zone, wanted)
    if found is None:
        raise InvalidChangeBatch(f"Tried to delete resource record set {label} but it was not found")
    same_ttl = str(found.ttl) == str(wanted.get("TTL"))
    if not same_ttl or _values(found.records) != _values(wanted.get("ResourceRecords")):
        raise InvalidChangeBatch(
            f"Tried to delete resource record set {label} but the values provided do not match the current values"
        )


def change_resource_record_sets(self: Route53Backend, zoneid: str, change_list: list[dict[str, Any]]) -> None:
    """Every DELETE of the batch is checked first; then moto applies the batch."""
    with LOCK:
        zone = self.get_hosted_zone(zoneid)
        for change in change_list:
            if change["Action"] == "DELETE" and "AliasTarget" not in change["ResourceRecordSet"]:
                _check_delete(zone, change["ResourceRecordSet"])
        _change_resource_record_sets(self, zoneid, change_list)


def install() -> None:
    """Patch moto's classes."""
    HostedZoneIdentifier.generate = generate_zone_id
    Route53Backend.change_resource_record_sets = change_resource_record_sets
